/* The C reference for `kafka-bdd bench produce`: the same work through the same librdkafka.
 * usage: producer BOOTSTRAP TOPIC MESSAGES SIZE  (acks=all, linger.ms=5, enable.idempotence=true) */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered, failed;
/* Delivery latency, as kafka-bdd records it: microseconds in power-of-two buckets. */
static long latency_buckets[64];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) failed++; else delivered++;
    int64_t us = rd_kafka_message_latency(m);
    int b = 0;
    while (us > 1 && b < 63) { us >>= 1; b++; }
    latency_buckets[b]++;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s BOOTSTRAP TOPIC MESSAGES SIZE\n", argv[0]); return 2; }
    long n = atol(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *props[][2] = {{"bootstrap.servers", argv[1]}, {"acks", "all"}, {"linger.ms", "5"},
                              {"enable.idempotence", "true"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (rd_kafka_conf_set(conf, props[i][0], props[i][1], err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[2], NULL);
    char *value = malloc(size);
    memset(value, 'x', size);
    double start = now();
    for (long i = 0; i < n; i++) {
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, size, NULL, 0, NULL) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                return 1;
            }
            rd_kafka_poll(rk, 10);
        }
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 120000);
    double seconds = now() - start;
    long seen = 0, p50 = -1, p99 = -1;
    for (int b = 0; b < 64; b++) {
        seen += latency_buckets[b];
        if (p50 < 0 && seen * 2 >= delivered + failed) p50 = 1L << b;
        if (p99 < 0 && seen * 100 >= (delivered + failed) * 99) p99 = 1L << b;
    }
    printf("c-producer: %ld delivered, %ld failed, latency p50 ~%ld us, p99 ~%ld us\n", delivered, failed, p50, p99);
    printf("msgs_per_sec=%.0f mb_per_sec=%.2f messages=%ld seconds=%.3f\n", delivered / seconds,
           delivered * (double)size / 1e6 / seconds, delivered, seconds);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(value);
    return failed ? 1 : 0;
}
