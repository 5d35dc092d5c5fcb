# Sourced by the service scripts: picks free loopback TCP ports.
#
#   source scripts/lib-ports.sh
#   read -r a b c < <(inflow_free_ports 3)
#
# A port counts as free when nothing on this machine has it in any TCP state (ss) and no other
# caller of inflow_free_ports reserved it in the last 10 minutes. The reservation file closes the
# window between "picked" and "the server bound it" when several fixtures start in parallel.
# Ports come from 20000-32000, below Linux's ephemeral range (32768+), so outgoing connections
# never take them first.

inflow_port_busy() {
  ss -Htan "( sport = :$1 )" 2>/dev/null | grep -q .
}

# inflow_free_ports N [GAP]: prints N distinct free ports separated by spaces. With GAP set,
# the port GAP below each picked port must be free too (a broker also binds listenPort-2).
inflow_free_ports() {
  local count="$1" gap="${2:-0}"
  local registry="${TMPDIR:-/tmp}/inflow-ports.reserved"
  local now picked=() port tries=0
  now=$(date +%s)
  (
    flock -w 30 9 || { echo "inflow_free_ports: cannot lock $registry.lock" >&2; exit 1; }
    touch "$registry"
    # Drop reservations older than 10 minutes.
    awk -v now="$now" '$2 + 600 > now' "$registry" > "$registry.new" && mv "$registry.new" "$registry"
    while ((${#picked[@]} < count)); do
      ((tries++ < 2000)) || { echo "inflow_free_ports: no free port found" >&2; exit 1; }
      port=$((20000 + RANDOM % 12000))
      [[ " ${picked[*]} " == *" $port "* ]] && continue
      grep -q "^$port " "$registry" && continue
      inflow_port_busy "$port" && continue
      if ((gap > 0)); then
        [[ " ${picked[*]} " == *" $((port - gap)) "* ]] && continue
        grep -q "^$((port - gap)) " "$registry" && continue
        inflow_port_busy "$((port - gap))" && continue
        echo "$((port - gap)) $now" >> "$registry"
      fi
      picked+=("$port")
      echo "$port $now" >> "$registry"
    done
    echo "${picked[*]}"
  ) 9> "$registry.lock"
}
