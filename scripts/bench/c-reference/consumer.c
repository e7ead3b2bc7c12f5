/* The C reference for `kafka-bdd bench consume`: read MESSAGES records from every partition of
 * TOPIC from the beginning, by assignment.  usage: consumer BOOTSTRAP TOPIC PARTITIONS MESSAGES */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITIONS MESSAGES\n", argv[0]); return 2; }
    int partitions = atoi(argv[3]);
    long n = atol(argv[4]);
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *props[][2] = {{"bootstrap.servers", argv[1]}, {"group.id", "kafka-bdd-bench-c"}, {"enable.auto.commit", "false"},
                              {"enable.partition.eof", "false"}, {"log_level", "3"}};
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
        if (rd_kafka_conf_set(conf, props[i][0], props[i][1], err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "%s\n", err); return 1; }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(list, argv[2], p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    long count = 0;
    size_t bytes = 0;
    double start = now(), deadline = start + 120;
    while (count < n && now() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (!m->err) { count++; bytes += m->len; }
        rd_kafka_message_destroy(m);
    }
    double seconds = now() - start;
    printf("c-consumer: %ld records\n", count);
    printf("msgs_per_sec=%.0f mb_per_sec=%.2f messages=%ld seconds=%.3f\n", count / seconds, bytes / 1e6 / seconds, count, seconds);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return count < n ? 1 : 0;
}
