#!/usr/bin/env bash
# kafka-bdd lsp in a real client: Neovim (Debian's 0.7: vim.lsp.start_client) headless under tmux, opening a
# feature file. Prints each screen it checks; exit 1 when one does not show what it should.
#   scripts/lsp-neovim-check.sh [KAFKA_BDD_BINARY] [PROJECT_ROOT]
set -euo pipefail
root=$(cd "${2:-$(dirname "$0")/..}" && pwd)
bin=${1:-$root/.build/debug/kafka-bdd}
command -v nvim > /dev/null && command -v tmux > /dev/null || { echo "SKIP needs nvim and tmux"; exit 77; }
work=$(mktemp -d)
socket="kafka-bdd-lsp-$$"
cleanup() { tmux -L "$socket" kill-server > /dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
cat > "$work/init.lua" <<LUA
vim.opt.swapfile = false
vim.opt.shortmess:append("I")
vim.opt.completeopt = "menuone,noinsert"
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  pattern = "*.feature",
  callback = function(args)
    local id = vim.lsp.start_client({
      name = "kafka-bdd",
      cmd = { "$bin", "lsp", "--root", "$root" },
      root_dir = "$root",
      -- After the filetype plugin, which sets an omnifunc of its own.
      on_attach = function(_, bufnr) vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc" end,
    })
    vim.lsp.buf_attach_client(args.buf, id)
  end,
})
LUA
cat > "$work/trial.feature" <<'FEATURE'
Feature: trial
  Scenario: a topic
    Given a 3-broker cluster
    And a topic "orders" with six partitions and replication factor 3
    When I produce 10 messa
FEATURE
tmux -L "$socket" new-session -d -s nv -x 160 -y 30 "nvim -u $work/init.lua $work/trial.feature" < /dev/null > /dev/null 2>&1
screen() { tmux -L "$socket" capture-pane -p -t nv; }
# Polls the screen until it shows the text, 30 s at most; prints the screen under a title.
await() {
  local text=$1 title=$2 deadline=$((SECONDS + 30))
  shown=""
  while [ $SECONDS -lt $deadline ]; do
    shown=$(screen 2> /dev/null || true)
    grep -qF -- "$text" <<< "$shown" && break
    sleep 0.1
  done
  printf -- '— Neovim: %s —\n%s\n' "$title" "$shown"
  grep -qF -- "$text" <<< "$shown" || { echo "FAIL the screen never showed: $text"; exit 1; }
}
await "undefined step" "diagnostics after opening the file"
grep -F 'a topic "orders" with six' <<< "$shown" | grep -qF "undefined step" \
  || { echo "FAIL no diagnostic at the undefined step's line"; exit 1; }
grep -F 'Given a 3-broker cluster' <<< "$shown" | grep -qF "undefined" && { echo "FAIL a defined step marked"; exit 1; }
tmux -L "$socket" send-keys -t nv G A C-x C-o
await "I produce {int} messages with {int} distinct keys to {string}" \
  "completion at the end of \"When I produce 10 messa\" (Ctrl-X Ctrl-O)"
tmux -L "$socket" send-keys -t nv Escape ":3" Enter ":lua vim.lsp.buf.hover()" Enter
await "Starts a fresh cluster" "hover on \"Given a 3-broker cluster\""
grep -qF "ClusterSteps.swift" <<< "$shown" || { echo "FAIL hover does not name the definition"; exit 1; }
tmux -L "$socket" send-keys -t nv Escape ":qa!" Enter
echo "ok   Neovim shows kafka-bdd lsp's diagnostics, completion and hover"
