// Command onlinebench is the Go side of scripts/bench_online.sh: it writes
// the peers' hashed CTR stream (ctrdata), times the online learners on it
// test-then-train (speed), and runs them prequentially on prepared data
// sets (accuracy). It prints one JSON line per measurement.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: onlinebench ctrdata|speed|accuracy [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var err error
	switch os.Args[1] {
	case "ctrdata":
		out := fs.String("out", "ctr_1m.bin.gz", "output file")
		rows := fs.Int("rows", 1_000_000, "rows")
		fs.Parse(os.Args[2:])
		err = writeCTR(*out, *rows)
	case "speed":
		data := fs.String("data", "ctr_1m.bin.gz", "CTR stream file")
		reps := fs.Int("reps", 3, "passes")
		batch := fs.Int("batch", 4096, "rows per record batch")
		fs.Parse(os.Args[2:])
		err = speed(*data, *reps, *batch)
	case "accuracy":
		in := fs.String("in", "", "prepared data set (written by accuracy_online.py prep)")
		only := fs.String("learner", "", "run only this learner (ftrl or logistic) with -params")
		params := fs.String("params", "{}", "JSON params for -learner")
		fs.Parse(os.Args[2:])
		err = accuracy(*in, *only, *params)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "onlinebench:", err)
		os.Exit(1)
	}
}

func emit(rec map[string]any) {
	rec["go"] = runtime.Version()
	rec["gomaxprocs"] = runtime.GOMAXPROCS(0)
	b, _ := json.Marshal(rec)
	fmt.Println(string(b))
}
