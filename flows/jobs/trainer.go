package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/randomsplitter"
)

// Metric is one row of a training report: a named value.
type Metric struct {
	Name  string
	Value float64
	Count bool // an integer count rather than a score
}

// TrainResult is what TrainPipeline makes; Release frees its tables.
type TrainResult struct {
	Model *pipeline.PipelineModel
	// Task is the task the held-out split was evaluated as ("" when
	// there was no held-out split).
	Task spec.Task
	// Test holds the held-out rows as read and Scored the same rows
	// transformed by Model; both nil without a held-out split.
	Test, Scored *table.Table
	Metrics      []Metric
	// Note explains a fallback in the evaluation, or is empty.
	Note string
}

func (r *TrainResult) Release() {
	if r.Test != nil {
		r.Test.Release()
	}
	if r.Scored != nil {
		r.Scored.Release()
	}
}

// TrainPipeline checks ps against src's schema, splits src (borrowed)
// into train and held-out rows, fits the pipeline on the train rows with
// progress lines on logw, and evaluates the model on the held-out rows.
// Batches come from pipeline.Allocator(ctx).
func TrainPipeline(ctx context.Context, ps *spec.PipelineSpec, src table.Reader, logw io.Writer) (*TrainResult, error) {
	if err := ps.CheckSchema(nil, src.Schema()); err != nil {
		return nil, err
	}
	p, err := ps.Build(nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var train, test *table.Table
	if ps.Split.Test > 0 {
		parts, err := randomsplitter.Split(ctx, src, []float64{1 - ps.Split.Test, ps.Split.Test}, ps.Split.Seed)
		if err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
		train, test = parts[0], parts[1]
	} else if train, err = table.ReadAll(src); err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	defer train.Release()
	res := &TrainResult{Test: test}
	ok := false
	defer func() {
		if !ok {
			res.Release()
		}
	}()
	if test != nil {
		fmt.Fprintf(logw, "read %d rows in %.3fs: %d to train, %d held out (test fraction %g, seed %d)\n",
			train.NumRows()+test.NumRows(), time.Since(start).Seconds(), train.NumRows(), test.NumRows(), ps.Split.Test, ps.Split.Seed)
		if test.NumRows() == 0 {
			return nil, errors.New("the held-out split is empty: use more rows or a larger test fraction")
		}
	} else {
		fmt.Fprintf(logw, "read %d rows in %.3fs: all to train (no held-out split)\n", train.NumRows(), time.Since(start).Seconds())
	}
	if train.NumRows() == 0 {
		return nil, errors.New("no rows to train on")
	}
	if res.Model, err = fitWithProgress(ctx, p.Children(), train, logw); err != nil {
		return nil, err
	}
	if test == nil {
		ok = true
		return res, nil
	}
	start = time.Now()
	if res.Scored, err = pipeline.TransformTable(ctx, res.Model, test); err != nil {
		return nil, fmt.Errorf("score the held-out rows: %w", err)
	}
	if err := res.evaluate(ps, train, p.Children()); err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "scored and evaluated %d held-out rows in %.3fs\n", test.NumRows(), time.Since(start).Seconds())
	ok = true
	return res, nil
}

// fitWithProgress fits stages in order on train, as pipeline.Pipeline.Fit
// does, printing "stage i/n: kind (type): rows, seconds" for each: the
// train rows are in memory already, so each stage's output is kept as a
// table for the next one, and the stages after the last estimator are
// not run.
func fitWithProgress(ctx context.Context, stages []pipeline.Stage, train *table.Table, logw io.Writer) (*pipeline.PipelineModel, error) {
	last := -1
	for i, s := range stages {
		if _, ok := s.(pipeline.Estimator); ok {
			last = i
		}
	}
	cur := train
	cur.Retain()
	defer func() { cur.Release() }()
	fitted := make([]pipeline.Transformer, len(stages))
	n := len(stages)
	for i, s := range stages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		rows := cur.NumRows()
		what := "transformer"
		t, isT := s.(pipeline.Transformer)
		if e, ok := s.(pipeline.Estimator); ok {
			what = "estimator"
			m, err := fitStage(ctx, e, cur)
			if err != nil {
				return nil, fmt.Errorf("stage %d (%s): fit: %w", i+1, s.Kind(), err)
			}
			t, isT = m, true
		}
		if !isT {
			return nil, fmt.Errorf("stage %d (%s): neither a transformer nor an estimator", i+1, s.Kind())
		}
		fitted[i] = t
		if i < last {
			next, err := pipeline.TransformTable(ctx, t, cur)
			if err != nil {
				return nil, fmt.Errorf("stage %d (%s): transform: %w", i+1, s.Kind(), err)
			}
			cur.Release()
			cur = next
		}
		verb := "fit on"
		if what == "transformer" {
			verb = "transformed"
			if i > last {
				verb = "kept for scoring, after the last estimator:"
			}
		}
		fmt.Fprintf(logw, "stage %d/%d: %s (%s): %s %d rows in %.3fs\n", i+1, n, s.Kind(), what, verb, rows, time.Since(start).Seconds())
	}
	pm, err := pipeline.NewPipelineModel(fitted...)
	if err != nil {
		return nil, err
	}
	if _, err := pm.OutputSchema(train.Schema()); err != nil {
		return nil, fmt.Errorf("fitted pipeline: %w", err)
	}
	return pm, nil
}

// fitStage fits e on tbl, turning a panic into an error.
func fitStage(ctx context.Context, e pipeline.Estimator, tbl *table.Table) (m pipeline.Model, err error) {
	r := tbl.Reader()
	defer r.Release()
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("panicked: %v", p)
		}
	}()
	m, err = e.Fit(ctx, r)
	if err == nil && m == nil {
		err = errors.New("returned no model and no error")
	}
	return m, err
}

// outputCols returns the prediction and probability columns of the last
// stage declaring a prediction_col ("prediction", "" without one).
func outputCols(stages []pipeline.Stage) (pred, prob string) {
	pred = "prediction"
	for i := len(stages) - 1; i >= 0; i-- {
		ps := stages[i].Params()
		v, err := ps.GetAny("prediction_col")
		if err != nil {
			continue
		}
		pred, _ = v.(string)
		if v, err := ps.GetAny("probability_col"); err == nil {
			prob, _ = v.(string)
		}
		break
	}
	return pred, prob
}

// evaluate computes the metrics of the scored held-out rows for the
// pipeline's task, resolving auto.
func (r *TrainResult) evaluate(ps *spec.PipelineSpec, train *table.Table, stages []pipeline.Stage) error {
	pred, prob := outputCols(stages)
	schema := r.Scored.Schema()
	if prob != "" && len(schema.FieldIndices(prob)) == 0 {
		prob = ""
	}
	if len(schema.FieldIndices(pred)) == 0 {
		return fmt.Errorf("evaluate: the model outputs no prediction column %q; columns: %s", pred, strings.Join(fieldNames(schema), ", "))
	}
	task := ps.Task
	var classes []float64
	if task != spec.TaskRegression && task != spec.TaskClustering {
		var err error
		if classes, err = distinct(train, ps.LabelCol); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
	}
	if task == spec.TaskAuto {
		switch {
		case prob == "":
			task = spec.TaskRegression
		case len(classes) == 2:
			task = spec.TaskBinary
		default:
			task = spec.TaskMulticlass
		}
	}
	if task == spec.TaskBinary && !(len(classes) == 2 && classes[0] == 0 && classes[1] == 1) || task == spec.TaskBinary && prob == "" {
		r.Note = fmt.Sprintf("binary metrics need labels 0 and 1 and a probability column (labels %v, probability column %q): evaluated as multiclass", classes, prob)
		task = spec.TaskMulticlass
	}
	r.Task = task
	label := ps.LabelCol
	reader := func() *table.TableReader { return r.Scored.Reader() }
	switch task {
	case spec.TaskBinary:
		rd := reader()
		m, err := eval.BinaryClassification(rd, label, prob)
		rd.Release()
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		r.Metrics = []Metric{{"rows", float64(m.Rows), true}, {"accuracy", m.Accuracy, false}, {"auc", m.AUC, false},
			{"log_loss", m.LogLoss, false}, {"precision", m.Precision, false}, {"recall", m.Recall, false}, {"f1", m.F1, false}}
	case spec.TaskMulticlass:
		var opts []eval.Option
		if prob != "" {
			opts = append(opts, eval.WithProbabilityCol(prob), eval.WithLabels(classes...))
		}
		rd := reader()
		m, err := eval.MulticlassClassification(rd, label, pred, opts...)
		rd.Release()
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		r.Metrics = []Metric{{"rows", float64(m.Rows), true}, {"accuracy", m.Accuracy, false}, {"macro_f1", m.MacroF1, false},
			{"weighted_f1", m.WeightedF1, false}, {"macro_precision", m.MacroPrecision, false}, {"macro_recall", m.MacroRecall, false}}
		if prob != "" {
			r.Metrics = append(r.Metrics, Metric{"log_loss", m.LogLoss, false})
		}
	case spec.TaskRegression:
		rd := reader()
		m, err := eval.Regression(rd, label, pred)
		rd.Release()
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		r.Metrics = []Metric{{"rows", float64(m.Rows), true}, {"rmse", m.RMSE, false}, {"mae", m.MAE, false},
			{"r2", m.R2, false}, {"explained_variance", m.ExplainedVariance, false}}
	case spec.TaskClustering:
		counts, err := clusterSizes(r.Scored, pred)
		if err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		r.Metrics = []Metric{{"rows", float64(r.Scored.NumRows()), true}, {"clusters", float64(len(counts)), true}}
		keys := make([]float64, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			r.Metrics = append(r.Metrics, Metric{fmt.Sprintf("cluster_%g", k), float64(counts[k]), true})
		}
	}
	return nil
}

// PrintMetrics writes the task and the metrics as a two-column table.
func (r *TrainResult) PrintMetrics(w io.Writer) error {
	if r.Scored == nil {
		_, err := fmt.Fprintln(w, "no held-out split: nothing evaluated")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "task\t%s\n", r.Task)
	for _, m := range r.Metrics {
		switch {
		case m.Count:
			fmt.Fprintf(tw, "%s\t%d\n", m.Name, int64(m.Value))
		case math.IsNaN(m.Value):
			fmt.Fprintf(tw, "%s\t-\n", m.Name)
		default:
			fmt.Fprintf(tw, "%s\t%.4f\n", m.Name, m.Value)
		}
	}
	if r.Note != "" {
		fmt.Fprintf(tw, "note\t%s\n", r.Note)
	}
	return tw.Flush()
}

func fieldNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

// numbers appends the values of a numeric column to dst; nulls are an
// error naming the row.
func numbers(dst []float64, arr arrow.Array, col string, start int64) ([]float64, error) {
	n := arr.Len()
	if arr.NullN() > 0 {
		for i := range n {
			if arr.IsNull(i) {
				return nil, fmt.Errorf("column %q: row %d is null", col, start+int64(i))
			}
		}
	}
	switch a := arr.(type) {
	case *array.Float64:
		return append(dst, a.Float64Values()...), nil
	case *array.Float32:
		for _, v := range a.Float32Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int64:
		for _, v := range a.Int64Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int32:
		for _, v := range a.Int32Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int16:
		for _, v := range a.Int16Values() {
			dst = append(dst, float64(v))
		}
	case *array.Int8:
		for _, v := range a.Int8Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint64:
		for _, v := range a.Uint64Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint32:
		for _, v := range a.Uint32Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint16:
		for _, v := range a.Uint16Values() {
			dst = append(dst, float64(v))
		}
	case *array.Uint8:
		for _, v := range a.Uint8Values() {
			dst = append(dst, float64(v))
		}
	case *array.Boolean:
		for i := range n {
			v := 0.0
			if a.Value(i) {
				v = 1
			}
			dst = append(dst, v)
		}
	default:
		return nil, fmt.Errorf("column %q has type %s: want a numeric label", col, table.TypeName(arr.DataType()))
	}
	return dst, nil
}

// distinct returns the sorted distinct values of a numeric column.
func distinct(tbl *table.Table, col string) ([]float64, error) {
	idx := tbl.Schema().FieldIndices(col)
	if len(idx) == 0 {
		return nil, fmt.Errorf("no label column %q; columns: %s", col, strings.Join(fieldNames(tbl.Schema()), ", "))
	}
	seen := map[float64]bool{}
	var buf []float64
	var start int64
	for i := 0; i < tbl.NumBatches(); i++ {
		rec := tbl.Batch(i)
		var err error
		if buf, err = numbers(buf[:0], rec.Column(idx[0]), col, start); err != nil {
			return nil, err
		}
		for _, v := range buf {
			seen[v] = true
		}
		start += rec.NumRows()
	}
	out := make([]float64, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

// clusterSizes counts the rows of each value of a numeric column.
func clusterSizes(tbl *table.Table, col string) (map[float64]int64, error) {
	idx := tbl.Schema().FieldIndices(col)
	counts := map[float64]int64{}
	var buf []float64
	var start int64
	for i := 0; i < tbl.NumBatches(); i++ {
		rec := tbl.Batch(i)
		var err error
		if buf, err = numbers(buf[:0], rec.Column(idx[0]), col, start); err != nil {
			return nil, err
		}
		for _, v := range buf {
			counts[v]++
		}
		start += rec.NumRows()
	}
	return counts, nil
}
