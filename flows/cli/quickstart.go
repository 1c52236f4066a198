package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/flows/examples"
	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

// quickstartOptions are the flags of eddy quickstart.
type quickstartOptions struct {
	dir        string
	serve      bool
	addr       string
	rate       float64
	onlineRows int64
}

func newQuickstartCmd() *cobra.Command {
	var o quickstartOptions
	cmd := &cobra.Command{
		Use:   "quickstart",
		Short: "Run the end-to-end demo flow on embedded defaults",
		Long: `Quickstart writes the example flow quickstart.yaml into --dir and runs it with
a file registry and run store under --dir (no server needed): it generates a
click-through-like data set, trains a feature-hashing logistic regression,
validates it on held-out rows and deploys it, then learns online with FTRL
(warm-started from the batch model) from a live generated stream, publishing a
new version every few seconds through a quality gate; each version is
validated and deployed in turn.

With --serve (the default) the flow also serves the deployed model on --addr,
prints a curl command to query it, and runs until Ctrl-C, the live stream
paced at --rate rows per second. With --serve=false the online phase reads
--online-rows rows as fast as it can and the flow ends by itself with a
summary. Setting --online-rows with --serve bounds the live stream too: the
flow serves while it learns and ends when the stream does. Each run starts
afresh: it clears the registry, run store, data and checkpoints under --dir.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case !cmd.Flags().Changed("online-rows") && o.serve:
				o.onlineRows = 0 // endless
			case !cmd.Flags().Changed("online-rows"):
				o.onlineRows = defaultOnlineRows
			case o.onlineRows <= 0:
				return fmt.Errorf("--online-rows: must be positive, got %d", o.onlineRows)
			}
			if !cmd.Flags().Changed("rate") && !o.serve {
				o.rate = 0 // as fast as possible
			}
			if o.rate < 0 {
				return fmt.Errorf("--rate: must be >= 0, got %v", o.rate)
			}
			return runQuickstart(cmd, o)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", filepath.Join(".eddy", "quickstart"), "working directory of the demo (flow file, data, registry, run store)")
	cmd.Flags().BoolVar(&o.serve, "serve", true, "serve the deployed model over HTTP and keep learning until Ctrl-C; false runs a bounded flow that ends by itself")
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "serving address (with --serve)")
	cmd.Flags().Float64Var(&o.rate, "rate", 5000, "rows per second of the live stream, 0 for as fast as possible (default 0 with --serve=false)")
	cmd.Flags().Int64Var(&o.onlineRows, "online-rows", defaultOnlineRows, "rows the online learner reads (default endless with --serve)")
	return cmd
}

// quickstartModel is the model the quickstart flow trains and serves.
const quickstartModel = "ctr"

// defaultOnlineRows is the length of the bounded online phase.
const defaultOnlineRows = 200_000

func runQuickstart(cmd *cobra.Command, o quickstartOptions) error {
	out := cmd.OutOrStdout()
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	// A fresh start: the demo's own subdirectories only, never --dir as a whole.
	for _, sub := range []string{"registry", "state", "data", "checkpoints"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("--dir: clear %s: %w", sub, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	flowFile := filepath.Join(dir, "quickstart.yaml")
	if err := os.WriteFile(flowFile, examples.QuickstartYAML, 0o644); err != nil {
		return err
	}
	vars := map[string]string{
		"QUICKSTART_DIR":         dir,
		"QUICKSTART_ONLINE_ROWS": strconv.FormatInt(o.onlineRows, 10),
		"QUICKSTART_RATE":        strconv.FormatFloat(o.rate, 'g', -1, 64),
		"QUICKSTART_ADDR":        o.addr,
	}
	f, err := spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global(), LookupEnv: func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, true
		}
		return os.LookupEnv(k)
	}}, flowFile, examples.QuickstartYAML)
	if err != nil {
		return problemsErr(cmd.ErrOrStderr(), err)
	}
	if !o.serve {
		delete(f.Jobs, "serve")
		f.Order = slices.DeleteFunc(f.Order, func(n string) bool { return n == "serve" })
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	reg, err := modelstore.Open(ctx, f.Stores.Registry)
	if err != nil {
		return err
	}
	defer reg.Close()
	runs, err := runstore.Open(ctx, f.Stores.Registry, f.Stores.State)
	if err != nil {
		return err
	}
	defer runs.Close()

	pace := "as fast as possible"
	if o.rate > 0 {
		pace = fmt.Sprintf("at %g rows/s", o.rate)
	}
	mode := fmt.Sprintf("%d online rows %s, then exit", o.onlineRows, pace)
	if o.onlineRows == 0 {
		mode = fmt.Sprintf("endless live stream %s, until Ctrl-C", pace)
	}
	if o.serve {
		mode = "serving on " + o.addr + "; " + mode
	}
	fmt.Fprintf(out, "eddy quickstart: flow %s (%s)\n  %s\n\n", flowFile, mode, f.Description)
	started := time.Now()
	s, err := scheduler.New(f, scheduler.Options{
		Registry: reg, RegistryURL: f.Stores.Registry, Runs: runs, NewRun: true, Follow: o.onlineRows == 0,
		Logger: slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Stdout: out, Stderr: io.Discard,
		OnStart: func(in *runstore.Instance, attempt int) {
			fmt.Fprintf(out, "%6.1fs  start %s (%s)\n", time.Since(started).Seconds(), in.ID, in.Cause)
			if in.Job == "serve" {
				fmt.Fprintf(out, "\n  query the deployed model (every answer names the version that made it):\n  %s\n\n", quickstartCurl(o.addr))
			}
		},
	})
	if err != nil {
		return err
	}
	run, err := s.Run(ctx)
	fmt.Fprintln(out)
	if run != nil {
		printRun(out, run)
		printOnlineSummary(out, run)
	}
	// Summarise with a fresh context: ctx is done after Ctrl-C.
	sumCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := printVersions(sumCtx, out, reg, quickstartModel); serr != nil && err == nil {
		err = serr
	}
	fmt.Fprintf(out, "\nflow file %s, registry %s, %.1fs\n", flowFile, f.Stores.Registry, time.Since(started).Seconds())
	if err != nil && ctx.Err() != nil {
		fmt.Fprintf(out, "stopped by signal; run the same command to start afresh, or resume the run with\n  QUICKSTART_DIR=%s QUICKSTART_ONLINE_ROWS=%d QUICKSTART_RATE=%g QUICKSTART_ADDR=%s eddy flow run --follow %s\n",
			dir, o.onlineRows, o.rate, o.addr, flowFile)
		if cmd.Context().Err() != nil {
			return err // the root command reports the interrupt
		}
		return nil
	}
	return err
}

// quickstartCurl is a curl command predicting one row of the quickstart's
// data set.
func quickstartCurl(addr string) string {
	host := addr
	if strings.HasPrefix(host, ":") {
		host = "127.0.0.1" + host
	}
	return fmt.Sprintf(`curl -s -X POST http://%s/v1/models/%s:predict -d '{"instances":[{"x0":0.5,"x1":-1.2,"x2":0.3,"x3":0.8,"c0":"c0_3","c1":"c1_0","c2":"c2_1"}]}'`, host, quickstartModel)
}

// printVersions prints a table of model's versions: stage, where each
// came from, and its metrics.
func printVersions(ctx context.Context, w io.Writer, reg modelstore.Store, model string) error {
	var all []modelstore.Version
	after := int64(0)
	for {
		page, next, err := reg.ListVersions(ctx, model, modelstore.ListOptions{After: after, Limit: modelstore.MaxPageSize})
		if errors.Is(err, modelstore.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		all = append(all, page...)
		if next == 0 {
			break
		}
		after = next
	}
	fmt.Fprintf(w, "\nmodel %s: %d versions\n", model, len(all))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VERSION\tSTAGE\tFROM\tPARENT\tMETRICS")
	for _, v := range all {
		from := "train"
		if src := v.Params["learner"]; src != "" {
			from = "online " + src + " @" + v.Params["rows"] + " rows"
		}
		parent := "-"
		if v.Lineage.Parent > 0 {
			parent = strconv.FormatInt(v.Lineage.Parent, 10)
		}
		keys := make([]string, 0, len(v.Metrics))
		for k := range v.Metrics {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var ms []string
		for _, k := range keys {
			ms = append(ms, fmt.Sprintf("%s=%.4g", k, v.Metrics[k]))
		}
		aliases := ""
		if len(v.Aliases) > 0 {
			aliases = " @" + strings.Join(v.Aliases, ",@")
		}
		fmt.Fprintf(tw, "  %d\t%s%s\t%s\t%s\t%s\n", v.Version, v.Stage, aliases, from, parent, strings.Join(ms, " "))
	}
	return tw.Flush()
}

// printOnlineSummary prints one line per online job instance: rows
// learned, versions published and rejected, drifts, and the prequential
// metrics at the end.
func printOnlineSummary(w io.Writer, run *runstore.Run) {
	for _, id := range run.Order {
		in := run.Instances[id]
		o := in.Outputs
		if o["learner"] == "" {
			continue
		}
		var rate string
		if n := len(in.Attempts); n > 0 {
			a := in.Attempts[n-1]
			if rows, err := strconv.ParseFloat(o["rows"], 64); err == nil && a.Finished.After(a.Started) {
				rate = fmt.Sprintf(" (%.0f rows/s)", rows/a.Finished.Sub(a.Started).Seconds())
			}
		}
		fmt.Fprintf(w, "\n%s: %s learned %s rows%s, published %s versions (%s rejected by the quality gate), %s drifts; prequential auc %s, accuracy %s, log loss %s\n",
			id, o["learner"], o["rows"], rate, o["published"], o["rejected"], o["drifts"],
			orDash(o["metric.cumulative_auc"]), orDash(o["metric.cumulative_accuracy"]), orDash(o["metric.cumulative_log_loss"]))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
