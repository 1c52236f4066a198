package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/online"
	_ "github.com/eddyml/eddy/online/all"
	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/online/prequential"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

func newOnlineCmd() *cobra.Command {
	var (
		rf                                      readFlags
		learner, input, output, label, features string
		params                                  []string
		everyRows                               int64
		window                                  int
		force                                   bool
	)
	cmd := &cobra.Command{
		Use:   "online",
		Short: "Learn online over a file or a generated stream, writing model versions to a directory",
		Long: `Online runs an online learner (see online.Kinds: ftrl, online_logistic_regression,
online_kmeans, ...) test-then-train over the input, row by row in order: every
row is first scored, then learned. Every --every-rows rows, and at the end, it
writes the current model as the matching batch model (for ftrl a
logistic_regression_model) to DIR/v000001.tar, v000002.tar, ... (load them
with "eddy predict" or modelio). It shows rows, rows/s and the windowed
prequential metric on a terminal and ends with a one-line summary of rows,
rows/s and the prequential (test-then-train) metrics.

The input is a file (.csv, .jsonl, .parquet, .arrow, optionally .gz) or a
generated stream "generate:KIND?rows=N&seed=S&..." with the fields of
connectors/generate's Config (kind classification, regression or blobs). The
features are the vector column --features or, when there is none, the numeric
columns listed in --features (comma-separated), or by default every numeric
column but the label, assembled into a dense vector.`,
		Example: `  eddy online --learner ftrl --input "generate:classification?rows=1000000&seed=7" --output models
  eddy online --learner online_kmeans --param k=3 --input points.csv.gz --output km --every-rows 10000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if input == "" || output == "" {
				return errors.New("--input and --output are required")
			}
			if everyRows < 0 {
				return fmt.Errorf("--every-rows: must not be negative, got %d", everyRows)
			}
			values, err := parseParams(params)
			if err != nil {
				return err
			}
			o := onlineRun{learner: learner, input: input, output: output, label: label, features: features,
				params: values, everyRows: everyRows, window: window, force: force, rf: &rf,
				stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr()}
			return o.run(cmd.Context())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&learner, "learner", "ftrl", "online learner kind: "+strings.Join(online.Kinds(), ", "))
	fs.StringVar(&input, "input", "", `data file, or "generate:KIND?rows=N&seed=S" for a generated stream`)
	fs.StringVar(&output, "output", "", "directory receiving the model versions v000001.tar, ...")
	fs.StringVar(&label, "label", "label", "label column")
	fs.StringVar(&features, "features", "features", "features vector column, or comma-separated numeric columns to assemble")
	fs.StringArrayVar(&params, "param", nil, "learner param name=value (value in YAML syntax), repeatable")
	fs.Int64Var(&everyRows, "every-rows", 100_000, "write a model version every N rows (0: only at the end)")
	fs.IntVar(&window, "window", 1000, "rows of the windowed prequential metrics")
	fs.BoolVar(&force, "force", false, "write into a non-empty --output")
	rf.register(fs)
	return cmd
}

// parseParams turns name=value flags into param values, each value parsed
// as a YAML scalar or sequence.
func parseParams(kv []string) (map[string]any, error) {
	out := map[string]any{}
	for _, s := range kv {
		name, val, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want name=value", s)
		}
		var v any
		if err := yaml.Unmarshal([]byte(val), &v); err != nil {
			return nil, fmt.Errorf("--param %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

type onlineRun struct {
	learner, input, output, label, features string
	params                                  map[string]any
	everyRows                               int64
	window                                  int
	force                                   bool
	rf                                      *readFlags
	stdout, stderr                          io.Writer

	mu   sync.Mutex
	eval *prequential.Evaluator
}

// open opens a file through the read flags or a generated stream.
func (o *onlineRun) open(ctx context.Context) (table.Reader, func() error, error) {
	rest, ok := strings.CutPrefix(o.input, "generate:")
	if !ok {
		src, closeSrc, err := o.rf.open(ctx, o.input)
		if err != nil {
			return nil, nil, err
		}
		return src, closeSrc, nil
	}
	kind, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, nil, fmt.Errorf("--input %s: %w", o.input, err)
	}
	doc := map[string]any{"kind": kind, "batch_size": o.rf.batchSize}
	for k, vs := range q {
		var v any
		if err := yaml.Unmarshal([]byte(vs[len(vs)-1]), &v); err != nil {
			return nil, nil, fmt.Errorf("--input %s: %s: %w", o.input, k, err)
		}
		doc[k] = v
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	var cfg generate.Config
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return nil, nil, fmt.Errorf("--input %s: %w", o.input, err)
	}
	if cfg.Rows == 0 {
		return nil, nil, fmt.Errorf("--input %s: rows must be set (an endless stream would never end)", o.input)
	}
	src, err := generate.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("--input %s: %w", o.input, err)
	}
	return src, func() error { src.Release(); return nil }, nil
}

// assembler returns nil when the features column is a vector already, else
// a vector_assembler of the numeric columns to use.
func (o *onlineRun) assembler(s *arrow.Schema) (pipeline.Transformer, error) {
	if i := s.FieldIndices(o.features); len(i) > 0 {
		dt := s.Field(i[0]).Type
		if table.IsDenseVector(dt) || table.IsSparseVector(dt) {
			return nil, nil
		}
	}
	var cols []string
	if strings.Contains(o.features, ",") || s.HasField(o.features) {
		cols = strings.Split(o.features, ",")
	} else if o.features == "features" {
		for _, f := range s.Fields() {
			if r := table.RoleOf(f); f.Name == o.label || r == table.RoleLabel || r == table.RoleTimestamp {
				continue
			}
			if arrow.IsInteger(f.Type.ID()) || arrow.IsFloating(f.Type.ID()) {
				cols = append(cols, f.Name)
			}
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("--features: the input has no vector column %q and no numeric columns besides %q", o.features, o.label)
		}
	} else {
		return nil, fmt.Errorf("--features: no column %q in the input", o.features)
	}
	va, err := vectorassembler.New(map[string]any{"input_cols": cols, "output_col": "features"})
	if err != nil {
		return nil, fmt.Errorf("--features: %w", err)
	}
	if _, err := va.OutputSchema(s); err != nil {
		return nil, fmt.Errorf("--features: %w", err)
	}
	return va, nil
}

func (o *onlineRun) run(ctx context.Context) error {
	spec, err := online.Lookup(o.learner)
	if err != nil {
		return fmt.Errorf("--learner: %w", err)
	}
	probe, err := spec.New(o.params)
	if err != nil {
		return fmt.Errorf("--param: %w", err)
	}
	names := probe.Params().Names()
	for _, p := range []struct{ name, val string }{{"label_col", o.label}, {"features_col", "features"}, {"input_col", "features"}} {
		if _, set := o.params[p.name]; !set && slices.Contains(names, p.name) {
			o.params[p.name] = p.val
		}
	}
	if err := prepareOutput(o.output, o.force); err != nil {
		return err
	}
	src, closeSrc, err := o.open(ctx)
	if err != nil {
		return err
	}
	defer closeSrc()
	va, err := o.assembler(src.Schema())
	if err != nil {
		return err
	}
	var task prequential.Task
	switch spec.Task {
	case online.TaskBinary:
		task = prequential.Binary
	case online.TaskMulticlass:
		task = prequential.Multiclass
	case online.TaskRegression:
		task = prequential.Regression
	}
	if task != "" {
		if o.eval, err = prequential.New(prequential.Config{Task: task, Window: o.window, LabelCol: o.label}); err != nil {
			return err
		}
	}

	mem := memory.NewGoAllocator()
	job := stream.NewJob("online", stream.WithAllocator(mem))
	rows := stream.FromSource(job, "input", stream.FromReader(src), 1)
	if va != nil {
		actx := pipeline.WithAllocator(ctx, mem)
		rows = rows.Map("features", func(rec arrow.Record) (arrow.Record, error) { return va.Transform(actx, rec) })
	}
	stats := &modelstream.LearnStats{}
	scored, models, err := modelstream.AddLearner(rows, o.learner, modelstream.LearnConfig{
		Learner: o.learner, Params: o.params, EveryRows: o.everyRows, Stats: stats})
	if err != nil {
		return err
	}
	scored.To("evaluate", stream.SinkFunc(func(_ context.Context, _ int, rec arrow.Record) error {
		if o.eval == nil {
			return nil
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		return o.eval.Update(rec)
	}))
	var saved []string
	models.To("save", stream.SinkFunc(func(_ context.Context, _ int, rec arrow.Record) error {
		vs, err := modelstream.Decode(rec)
		if err != nil {
			return err
		}
		defer func() {
			for _, v := range vs {
				v.Release()
			}
		}()
		for _, v := range vs {
			path, err := saveVersion(o.output, v)
			if err != nil {
				return err
			}
			saved = append(saved, path)
		}
		return nil
	}))

	start := time.Now()
	stop := o.showProgress(stats, start)
	err = job.Run(ctx)
	stop()
	if err != nil {
		return fmt.Errorf("online %s on %s: %w", o.learner, o.input, err)
	}
	elapsed := time.Since(start)
	n := stats.Rows()
	line := fmt.Sprintf("online %s: %d rows in %.2fs (%s rows/s), %d model versions in %s", o.learner, n,
		elapsed.Seconds(), human(float64(n)/max(elapsed.Seconds(), 1e-9)), len(saved), o.output)
	if o.eval != nil {
		line += "; prequential " + formatMetrics(o.eval.Metrics(), task)
	}
	_, err = fmt.Fprintln(o.stdout, line)
	return err
}

// prepareOutput creates dir, refusing a non-empty one without force.
func prepareOutput(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > 0 && !force {
		return fmt.Errorf("--output %s: not empty (use --force to write into it)", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}

// saveVersion writes v as its batch model kind to dir/v%06d.tar.
func saveVersion(dir string, v *modelstream.Version) (string, error) {
	st, err := registry.Global().New(v.ModelKind, nil)
	if err != nil {
		return "", fmt.Errorf("model version %d: %w", v.Version, err)
	}
	m, ok := st.(pipeline.Model)
	if !ok {
		return "", fmt.Errorf("model version %d: kind %q is not a model", v.Version, v.ModelKind)
	}
	if err := m.SetModelData(v.Data...); err != nil {
		return "", fmt.Errorf("model version %d: %w", v.Version, err)
	}
	path := filepath.Join(dir, fmt.Sprintf("v%06d.tar", v.Version))
	if err := modelio.SaveFile(m, path, &modelio.Options{Overwrite: true}); err != nil {
		return "", fmt.Errorf("model version %d: %w", v.Version, err)
	}
	return path, nil
}

func formatMetrics(m prequential.Metrics, task prequential.Task) string {
	var names []string
	switch task {
	case prequential.Binary:
		names = []string{"accuracy", "log_loss", "auc"}
	case prequential.Multiclass:
		names = []string{"accuracy"}
	case prequential.Regression:
		names = []string{"rmse", "mae"}
	}
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s %.4f", n, m.Cumulative.Get(n))
	}
	fmt.Fprintf(&b, " (last %d rows:", m.WindowRows)
	for _, n := range names {
		fmt.Fprintf(&b, " %s %.4f", n, m.Window.Get(n))
	}
	b.WriteString(")")
	return b.String()
}

// showProgress draws rows, rows/s, the model version and the windowed
// metric on a terminal every 200ms until the returned stop is called.
func (o *onlineRun) showProgress(stats *modelstream.LearnStats, start time.Time) (stop func()) {
	if !isTerminal(o.stderr) {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(o.stderr, "\r\x1b[K")
				return
			case <-t.C:
				n := stats.Rows()
				line := fmt.Sprintf("%s rows  %s rows/s  version %d", human(float64(n)),
					human(float64(n)/time.Since(start).Seconds()), stats.Version())
				if o.eval != nil {
					o.mu.Lock()
					m := o.eval.Metrics()
					o.mu.Unlock()
					name := "accuracy"
					if o.eval.Config().Task == prequential.Regression {
						name = "rmse"
					}
					line += fmt.Sprintf("  %s(last %d) %.4f", name, m.WindowRows, m.Window.Get(name))
				}
				fmt.Fprint(o.stderr, "\r"+line+"\x1b[K")
			}
		}
	}()
	return func() { close(done); <-finished }
}
