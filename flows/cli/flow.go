package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/scheduler"
	"github.com/eddyml/eddy/flows/scheduler/runstore"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/serving/modelstore"
)

func newFlowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flow",
		Short: "Validate and run flow files: jobs linked by data and event edges, with a resumable run store",
	}
	cmd.AddCommand(newFlowValidateCmd(), newFlowRunCmd(), newFlowStatusCmd(), newFlowRunsCmd())
	return cmd
}

// readFlow reads and parses a flow file with the job kinds of jobs.Global.
func readFlow(path string) (*spec.Flow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	return spec.ParseFlowWith(spec.FlowOptions{Kinds: jobs.Global()}, path, data)
}

// problemsErr prints every problem of a parse, one a line, and returns a
// short error.
func problemsErr(w io.Writer, err error) error {
	ps := spec.Problems(err)
	if len(ps) == 0 {
		return err
	}
	for _, p := range ps {
		fmt.Fprintln(w, p)
	}
	return fmt.Errorf("%d problem(s)", len(ps))
}

func newFlowValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a flow file and report every problem with file:line:column",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := readFlow(args[0])
			if err != nil {
				return problemsErr(cmd.ErrOrStderr(), err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: flow %q is valid: %d jobs\n", args[0], f.Name, len(f.Jobs))
			return nil
		},
	}
}

// storeFlags are the --registry and --state flags, defaulting to the flow
// file's stores, then to file://.eddy and .eddy/flows.
type storeFlags struct{ registry, state, checkpoints string }

func (s *storeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.registry, "registry", "", "model registry URL (default: the flow's stores.registry, else "+modelstore.DefaultURL+")")
	cmd.Flags().StringVar(&s.state, "state", "", "run store directory of the embedded backend (default: the flow's stores.state, else "+spec.DefaultStateDir+"); a redis:// registry keeps runs in Redis")
}

// checkpointDir returns the --checkpoints flag, else the flow's
// stores.checkpoints, else STATE/checkpoints.
func (s *storeFlags) checkpointDir(f *spec.Flow, state string) string {
	if s.checkpoints != "" {
		return s.checkpoints
	}
	return f.Stores.CheckpointDir(state)
}

func (s *storeFlags) resolve(f *spec.Flow) (registry, state string) {
	registry, state = s.registry, s.state
	if registry == "" && f != nil {
		registry = f.Stores.Registry
	}
	if state == "" && f != nil {
		state = f.Stores.State
	}
	if registry == "" {
		registry = modelstore.DefaultURL
	}
	if state == "" {
		state = spec.DefaultStateDir
	}
	return registry, state
}

func newFlowRunCmd() *cobra.Command {
	var (
		sf      storeFlags
		follow  bool
		newRun  bool
		workers int
	)
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a flow, or resume its unfinished run after a crash or Ctrl-C",
		Long: `Run starts the flow's jobs in dependency order (in parallel where independent),
triggers jobs on registry events, job outcomes and schedules, and records every
step in the run store. If the flow's latest run did not finish, it is resumed:
finished jobs are not rerun and no event is handled twice or missed. The run
ends when nothing is left to do, unless --follow (or a schedule) keeps it
waiting for events; Ctrl-C stops it, to be resumed by the next run. One process
runs a flow at a time: while one does, another run of the flow fails at once,
naming the lock (STATE/FLOW.lock, or the Redis lease) and its holder's pid.
Streaming jobs keep their checkpoints under --checkpoints/FLOW/RUN/INSTANCE.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := readFlow(args[0])
			if err != nil {
				return problemsErr(cmd.ErrOrStderr(), err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			regURL, state := sf.resolve(f)
			reg, err := modelstore.Open(ctx, regURL)
			if err != nil {
				return err
			}
			defer reg.Close()
			runs, err := runstore.Open(ctx, regURL, state)
			if err != nil {
				return err
			}
			defer runs.Close()
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			s, err := scheduler.New(f, scheduler.Options{Registry: reg, RegistryURL: regURL, Runs: runs, Workers: workers,
				Follow: follow, NewRun: newRun, Logger: log, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
				CheckpointDir: sf.checkpointDir(f, state)})
			if err != nil {
				return err
			}
			run, err := s.Run(ctx)
			if run != nil {
				printRun(cmd.OutOrStdout(), run)
			}
			if err != nil && ctx.Err() != nil && cmd.Context().Err() == nil {
				return fmt.Errorf("flow stopped by signal: %w", context.Canceled)
			}
			return err
		},
	}
	sf.register(cmd)
	cmd.Flags().StringVar(&sf.checkpoints, "checkpoints", "", "checkpoint directory of streaming jobs (default: the flow's stores.checkpoints, else STATE/"+spec.CheckpointsSubdir+")")
	cmd.Flags().BoolVar(&follow, "follow", false, "keep running when idle, waiting for registry events")
	cmd.Flags().BoolVar(&newRun, "new", false, "start a new run even if the latest one did not finish")
	cmd.Flags().IntVar(&workers, "workers", scheduler.DefaultWorkers, "jobs running at once (long-running jobs excluded)")
	return cmd
}

// openRuns opens the run store of the flags, or of FILE's stores.
func openRuns(ctx context.Context, sf *storeFlags, args []string) (runstore.Store, string, error) {
	var f *spec.Flow
	flow := ""
	if len(args) == 1 {
		var err error
		if f, err = readFlow(args[0]); err != nil {
			return nil, "", err
		}
		flow = f.Name
	}
	regURL, state := sf.resolve(f)
	st, err := runstore.Open(ctx, regURL, state)
	return st, flow, err
}

func newFlowStatusCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "status [FILE]",
		Short: "Show the jobs of the latest run of each flow (or of FILE's flow)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, flow, err := openRuns(ctx, &sf, args)
			if err != nil {
				return err
			}
			defer st.Close()
			ids, err := st.Runs(ctx, flow)
			if err != nil {
				return err
			}
			latest := map[string]string{}
			var flows []string
			for _, id := range ids {
				recs, err := st.Records(ctx, id)
				if err != nil || len(recs) == 0 {
					continue
				}
				if _, seen := latest[recs[0].Flow]; !seen {
					flows = append(flows, recs[0].Flow)
				}
				latest[recs[0].Flow] = id
			}
			if len(flows) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no runs")
				return nil
			}
			for _, fl := range flows {
				run, err := runstore.Load(ctx, st, latest[fl])
				if err != nil {
					return err
				}
				printRun(cmd.OutOrStdout(), run)
			}
			return nil
		},
	}
	sf.register(cmd)
	return cmd
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05.000")
}

func fmtDur(a, b time.Time) string {
	if a.IsZero() || b.IsZero() {
		return "-"
	}
	return b.Sub(a).Round(time.Millisecond).String()
}

// printRun writes a run's header and its job instances.
func printRun(w io.Writer, run *runstore.Run) {
	fmt.Fprintf(w, "flow %s run %s: %s (started %s, updated %s, resumed %d times, registry cursor %d)\n",
		run.Flow, run.ID, run.Status, fmtTime(run.Started), fmtTime(run.Updated), run.Resumes, run.Cursor)
	if run.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", run.Error)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  INSTANCE\tSTATUS\tATTEMPTS\tCAUSE\tSTARTED\tDURATION\tERROR")
	for _, id := range run.Order {
		in := run.Instances[id]
		started, last := time.Time{}, time.Time{}
		if len(in.Attempts) > 0 {
			started = in.Attempts[0].Started
			last = in.Attempts[len(in.Attempts)-1].Finished
		}
		errMsg := strings.ReplaceAll(in.Error, "\n", " ")
		if errMsg == "" {
			errMsg = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\n", id, in.Status, len(in.Attempts), in.Cause, fmtTime(started), fmtDur(started, last), errMsg)
	}
	tw.Flush()
	if len(run.Emitted) == 0 {
		return
	}
	fmt.Fprintln(w, "  events emitted by running jobs:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  EVENT\tBY\tMODEL\tEMITTED\tDISPATCHED\tTRIGGERED")
	for _, e := range run.Emitted {
		model, dispatched, triggered := e.Event.Model, "pending", strings.Join(e.Triggered, ",")
		if model == "" {
			model = "-"
		}
		if !e.Dispatched.IsZero() {
			dispatched = fmtTime(e.Dispatched)
		}
		if triggered == "" {
			triggered = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", e.Event.Type, e.Event.Instance, model, fmtTime(e.Event.Time), dispatched, triggered)
	}
	tw.Flush()
}

func newFlowRunsCmd() *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "runs [FILE]",
		Short: "List flow runs with their times, status and errors",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, flow, err := openRuns(ctx, &sf, args)
			if err != nil {
				return err
			}
			defer st.Close()
			ids, err := st.Runs(ctx, flow)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tFLOW\tSTATUS\tSTARTED\tFINISHED\tDURATION\tJOBS\tFAILED\tERROR")
			for _, id := range ids {
				run, err := runstore.Load(ctx, st, id)
				if err != nil {
					return err
				}
				failed := 0
				for _, in := range run.Instances {
					if in.Status == runstore.StatusFailed {
						failed++
					}
				}
				end := run.Finished
				if end.IsZero() {
					end = run.Updated
				}
				errMsg := run.Error
				if errMsg == "" {
					errMsg = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", id, run.Flow, run.Status, fmtTime(run.Started),
					fmtTime(run.Finished), fmtDur(run.Started, end), len(run.Instances), failed, errMsg)
			}
			return tw.Flush()
		},
	}
	sf.register(cmd)
	return cmd
}
