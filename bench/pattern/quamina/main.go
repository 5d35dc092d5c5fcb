// Command quamina-bench runs quamina (github.com/timbray/quamina v1) over the events and
// pattern sets written by `pattern_bench --write-data=DIR`, single goroutine, and prints one
// JSON line per set: events per CPU second and the number of (event, pattern) hits over the
// first 20 000 events.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"quamina.net/go/quamina"
)

func readLines(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	return lines, sc.Err()
}

// checkEvents is how many leading events the hit count covers (same constant in
// pattern_bench.cc).
const checkEvents = 20000

type result struct {
	Set          string  `json:"set"`
	Engine       string  `json:"engine"`
	Patterns     int     `json:"patterns"`
	EventsPerSec float64 `json:"events_per_s"`
	Matches      int     `json:"matches"`
}

// cpuSeconds is the process's user + system CPU time: like Google Benchmark's default, it counts
// work done (garbage collection included) and not time spent waiting on a shared machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	dir := flag.String("data", "", "directory written by pattern_bench --write-data")
	minTime := flag.Duration("min_time", time.Second, "minimum timed duration per set")
	only := flag.String("filter", "", "run only sets whose name contains this")
	flag.Parse()
	events, err := readLines(filepath.Join(*dir, "events.jsonl"))
	if err != nil || len(events) == 0 {
		fmt.Fprintln(os.Stderr, "events:", err)
		os.Exit(2)
	}
	files, _ := filepath.Glob(filepath.Join(*dir, "*.quamina.jsonl"))
	for _, file := range files {
		set := strings.TrimSuffix(filepath.Base(file), ".quamina.jsonl")
		if *only != "" && !strings.Contains(set, *only) {
			continue
		}
		patterns, err := readLines(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, set, err)
			os.Exit(2)
		}
		q, err := quamina.New()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for i, p := range patterns {
			if err := q.AddPattern(i, string(p)); err != nil {
				fmt.Fprintln(os.Stderr, set, i, err)
				os.Exit(2)
			}
		}
		matches := 0
		for _, e := range events[:min(len(events), checkEvents)] {
			m, err := q.MatchesForEvent(e)
			if err != nil {
				fmt.Fprintln(os.Stderr, set, err)
				os.Exit(2)
			}
			matches += len(m)
		}
		n := 0
		cpuStart := cpuSeconds()
		start := time.Now()
		for time.Since(start) < *minTime {
			for _, e := range events[n%len(events):] {
				_, _ = q.MatchesForEvent(e)
				n++
				if n%1024 == 0 && time.Since(start) >= *minTime {
					break
				}
			}
		}
		elapsed := cpuSeconds() - cpuStart
		out, _ := json.Marshal(result{set, "quamina", len(patterns), float64(n) / elapsed, matches})
		fmt.Println(string(out))
	}
}
