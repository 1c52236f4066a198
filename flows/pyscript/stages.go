package pyscript

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"

	_ "github.com/eddyml/eddy/estimators/all"   // every estimator kind for stage and load
	_ "github.com/eddyml/eddy/transformers/all" // every transformer kind for stage and load
)

// stageMethods are the methods of eddy.Stage (an unfitted stage or
// pipeline) and eddy.Model (a transformer, fitted model or pipeline
// model): both wrap a pipeline.Stage.
func stageMethods() map[string]pybridge.Method {
	return map[string]pybridge.Method{
		"kind": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			if _, err := bind(a, kw, nil, 0); err != nil {
				return nil, err
			}
			return stageOf(self).Kind(), nil
		},
		"params": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			if _, err := bind(a, kw, nil, 0); err != nil {
				return nil, err
			}
			return plain(stageOf(self).Params().Values()), nil
		},
		"set_params": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			m := map[string]any{}
			if len(a) > 1 {
				return nil, fmt.Errorf("takes one dict or keywords")
			}
			if len(a) == 1 {
				d, ok := a[0].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("params must be a dict, not %s", typeName(a[0]))
				}
				for k, v := range d {
					m[k] = v
				}
			}
			for k, v := range kw {
				m[k] = v
			}
			if err := stageOf(self).Params().SetMap(m); err != nil {
				return nil, err
			}
			return self, nil
		},
		"stages": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
			if _, err := bind(a, kw, nil, 0); err != nil {
				return nil, err
			}
			c, ok := stageOf(self).(pipeline.Composite)
			if !ok {
				return []any{}, nil
			}
			kids := c.Children()
			out := make([]any, len(kids))
			for i, k := range kids {
				out[i] = wrapStage(k)
			}
			return out, nil
		},
		"fit":       stageFit,
		"transform": stageTransform,
		"save":      stageSave,
	}
}

// The classes are built in init: their methods refer to them.
var stageClass, modelClass *pybridge.Class

func init() {
	stageClass = pybridge.NewClass("Stage", "a pipeline stage to fit (an estimator or a pipeline)", stageMethods(), stageStr)
	modelClass = pybridge.NewClass("Model", "a transformer, fitted model or pipeline model", stageMethods(), stageStr)
}

func stageStr(o *pybridge.Object) string {
	s := stageOf(o)
	if c, ok := s.(pipeline.Composite); ok {
		return fmt.Sprintf("<eddy.%s %s of %d stages>", o.Class.Name(), s.Kind(), len(c.Children()))
	}
	return fmt.Sprintf("<eddy.%s %s>", o.Class.Name(), s.Kind())
}

func stageOf(o *pybridge.Object) pipeline.Stage { return o.Value.(pipeline.Stage) }

// closeStages has the session close, when the script ends, every stage
// of s (s and its children) that holds resources (a Python UDF's
// interpreters).
func closeStages(sess *session, s pipeline.Stage) {
	if c, ok := s.(io.Closer); ok {
		sess.closeLater(c)
	}
	if c, ok := s.(pipeline.Composite); ok {
		for _, k := range c.Children() {
			closeStages(sess, k)
		}
	}
}

// wrapStage returns s as an eddy.Stage when it must be fitted and an
// eddy.Model when it transforms as it is.
func wrapStage(s pipeline.Stage) *pybridge.Object {
	if _, est := s.(pipeline.Estimator); !est {
		if _, ok := s.(pipeline.Transformer); ok {
			return modelClass.NewObject(s)
		}
	}
	return stageClass.NewObject(s)
}

func stageArg(v any, what string) (pipeline.Stage, error) {
	if o, ok := v.(*pybridge.Object); ok {
		if s, ok := o.Value.(pipeline.Stage); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%s must be an eddy.Stage or eddy.Model, not %s", what, typeName(v))
}

func stageFit(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table"}, 1)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	s := stageOf(self)
	est, ok := s.(pipeline.Estimator)
	if !ok {
		// A transformer needs no fitting: it is its own model, as in a
		// pipeline.
		return modelClass.NewObject(s), nil
	}
	r := t.Reader()
	defer r.Release()
	m, err := est.Fit(sessionOf(ctx).stageCtx(ctx), r)
	if err != nil {
		return nil, err
	}
	return modelClass.NewObject(m), nil
}

func stageTransform(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table"}, 1)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	s := stageOf(self)
	tr, ok := s.(pipeline.Transformer)
	if !ok {
		return nil, fmt.Errorf("stage %q is an estimator: fit it first (model = stage.fit(table))", s.Kind())
	}
	sess := sessionOf(ctx)
	out, err := pipeline.TransformTable(sess.stageCtx(ctx), tr, t)
	if err != nil {
		return nil, err
	}
	return sess.keep(out), nil
}

func stageSave(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"path"}, 1)
	if err != nil {
		return nil, err
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	if err := modelio.Save(stageOf(self), sessionOf(ctx).path(path), nil); err != nil {
		return nil, err
	}
	return path, nil
}

func init() {
	pybridge.MustRegisterModuleFunc("stage", "stage(kind, params=None, **params): a new stage of a registered kind (see kinds()), params by name", newStage)
	pybridge.MustRegisterModuleFunc("pipeline", "pipeline(stages): a pipeline of eddy stages or {'kind': ..., 'params': {...}} dicts", newPipeline)
	pybridge.MustRegisterModuleFunc("load", "load(path): a stage or model saved by save (a directory or a .tar)", loadStage)
	pybridge.MustRegisterModuleFunc("kinds", "kinds(): the registered stage kinds, sorted", func(_ context.Context, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return registry.Global().Kinds(), nil
	})
	pybridge.MustRegisterModuleFunc("describe", "describe(kind): a dict with the kind's doc, type and params (name, type, default, doc)", describeKind)
	pybridge.MustRegisterModuleFunc("evaluate", "evaluate(table, task='auto', label_col='label', prediction_col='prediction', probability_col='probability', weight_col=None, threshold=None, labels=None): a dict of metrics (binary, multiclass or regression)", evaluate)
}

// kindAndParams reads the arguments of stage() and learner(): a kind,
// an optional params dict, and params as keywords (each name once).
func kindAndParams(a []any, kw map[string]any) (string, map[string]any, error) {
	if len(a) < 1 || len(a) > 2 {
		return "", nil, fmt.Errorf("takes kind and an optional params dict, got %d arguments", len(a))
	}
	kind, ok := a[0].(string)
	if !ok {
		return "", nil, fmt.Errorf("kind must be str, not %s", typeName(a[0]))
	}
	params := map[string]any{}
	if len(a) == 2 && a[1] != nil {
		d, ok := a[1].(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("params must be a dict, not %s", typeName(a[1]))
		}
		for k, v := range d {
			params[k] = v
		}
	}
	for k, v := range kw {
		if _, dup := params[k]; dup {
			return "", nil, fmt.Errorf("param %q given twice", k)
		}
		params[k] = v
	}
	return kind, params, nil
}

func newStage(ctx context.Context, a []any, kw map[string]any) (any, error) {
	kind, params, err := kindAndParams(a, kw)
	if err != nil {
		return nil, err
	}
	s, err := registry.Global().New(kind, params)
	if err != nil {
		return nil, err
	}
	closeStages(sessionOf(ctx), s)
	return wrapStage(s), nil
}

func newPipeline(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"stages"}, 1)
	if err != nil {
		return nil, err
	}
	items, err := b.list("stages")
	if err != nil {
		return nil, err
	}
	stages := make([]pipeline.Stage, len(items))
	for i, it := range items {
		if d, ok := it.(map[string]any); ok {
			if stages[i], err = stageFromDict(d); err != nil {
				return nil, fmt.Errorf("stage %d: %w", i, err)
			}
			closeStages(sessionOf(ctx), stages[i])
			continue
		}
		if stages[i], err = stageArg(it, fmt.Sprintf("stage %d", i)); err != nil {
			return nil, err
		}
	}
	p, err := pipeline.NewPipeline(stages...)
	if err != nil {
		return nil, err
	}
	return stageClass.NewObject(p), nil
}

func stageFromDict(d map[string]any) (pipeline.Stage, error) {
	for k := range d {
		if k != "kind" && k != "params" {
			return nil, fmt.Errorf("unknown key %q (want kind, params)", k)
		}
	}
	b := args(d)
	kind, err := b.str("kind", "")
	if err != nil {
		return nil, err
	}
	if kind == "" {
		return nil, fmt.Errorf("missing \"kind\"")
	}
	params, err := b.dict("params")
	if err != nil {
		return nil, err
	}
	return registry.Global().New(kind, params)
}

func loadStage(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"path"}, 1)
	if err != nil {
		return nil, err
	}
	path, err := b.str("path", "")
	if err != nil {
		return nil, err
	}
	s, err := modelio.Load(sessionOf(ctx).path(path), nil)
	if err != nil {
		return nil, err
	}
	closeStages(sessionOf(ctx), s)
	return wrapStage(s), nil
}

func describeKind(_ context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"kind"}, 1)
	if err != nil {
		return nil, err
	}
	kind, err := b.str("kind", "")
	if err != nil {
		return nil, err
	}
	info, err := registry.Global().Lookup(kind)
	if err != nil {
		return nil, err
	}
	// The JSON form of Info is its documented shape; numbers come back
	// as float64 and are made ints where they are whole.
	j, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	return wholeNumbers(m), nil
}

func wholeNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case []any:
		for i, it := range x {
			x[i] = wholeNumbers(it)
		}
	case map[string]any:
		for k, it := range x {
			x[k] = wholeNumbers(it)
		}
	}
	return v
}

// evaluate computes metrics of a scored table. task auto picks binary
// when the probability column exists and the labels are 0 and 1,
// multiclass when it exists otherwise, and regression without it.
func evaluate(ctx context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table", "task", "label_col", "prediction_col", "probability_col", "weight_col", "threshold", "labels"}, 1)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	task, err := b.str("task", "auto")
	if err != nil {
		return nil, err
	}
	label, err := b.str("label_col", "label")
	if err != nil {
		return nil, err
	}
	pred, err := b.str("prediction_col", "prediction")
	if err != nil {
		return nil, err
	}
	prob, err := b.str("probability_col", "probability")
	if err != nil {
		return nil, err
	}
	weight, err := b.str("weight_col", "")
	if err != nil {
		return nil, err
	}
	var opts []eval.Option
	if weight != "" {
		opts = append(opts, eval.WithWeightCol(weight))
	}
	schema := t.Schema()
	hasProb := len(schema.FieldIndices(prob)) > 0
	if task == "auto" {
		switch {
		case !hasProb:
			task = "regression"
		default:
			labels, err := distinct(t, label)
			if err != nil {
				return nil, err
			}
			task = "multiclass"
			if len(labels) == 2 && labels[0] == 0 && labels[1] == 1 {
				task = "binary"
			}
		}
	}
	r := t.Reader()
	defer r.Release()
	var m map[string]float64
	switch task {
	case "binary":
		if b.has("threshold") {
			th, err := b.float("threshold", 0.5)
			if err != nil {
				return nil, err
			}
			opts = append(opts, eval.WithThreshold(th))
		}
		if !hasProb {
			return nil, fmt.Errorf("binary: no probability column %q (set probability_col)", prob)
		}
		bm, err := eval.BinaryClassification(r, label, prob, opts...)
		if err != nil {
			return nil, err
		}
		m = map[string]float64{"rows": float64(bm.Rows), "accuracy": bm.Accuracy, "auc": bm.AUC, "log_loss": bm.LogLoss,
			"precision": bm.Precision, "recall": bm.Recall, "f1": bm.F1, "threshold": bm.Threshold}
	case "multiclass":
		if hasProb {
			popts, err := multiclassProbability(t, b, label, prob)
			if err != nil {
				return nil, err
			}
			opts = append(opts, popts...)
		}
		mm, err := eval.MulticlassClassification(r, label, pred, opts...)
		if err != nil {
			return nil, err
		}
		m = map[string]float64{"rows": float64(mm.Rows), "accuracy": mm.Accuracy, "macro_f1": mm.MacroF1, "weighted_f1": mm.WeightedF1,
			"macro_precision": mm.MacroPrecision, "macro_recall": mm.MacroRecall, "log_loss": mm.LogLoss}
	case "regression":
		rm, err := eval.Regression(r, label, pred, opts...)
		if err != nil {
			return nil, err
		}
		m = map[string]float64{"rows": float64(rm.Rows), "rmse": rm.RMSE, "mse": rm.MSE, "mae": rm.MAE, "r2": rm.R2,
			"explained_variance": rm.ExplainedVariance}
	default:
		return nil, fmt.Errorf("task must be auto, binary, multiclass or regression, not %q", task)
	}
	sessionOf(ctx).setMetrics(m)
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	out["rows"] = int64(m["rows"])
	return out, nil
}

// multiclassProbability returns the options that give the multiclass
// evaluation the probability column prob for its log loss, with the
// labels of the vector elements: labels= when given (their number must be
// the vectors' dimension), else the distinct labels of the table when
// there are as many as the dimension, else labels 0..k-1 when every label
// is one of those (element j is label j). A column that is not a dense
// vector, or labels that fit neither way, leave log_loss out (NaN).
func multiclassProbability(t *table.Table, b args, label, prob string) ([]eval.Option, error) {
	schema := t.Schema()
	dim := vectorDim(schema.Field(schema.FieldIndices(prob)[0]).Type)
	classes, err := b.floats("labels")
	if err != nil {
		return nil, err
	}
	if classes != nil {
		if len(classes) != dim {
			return nil, fmt.Errorf("labels has %d values, the probability column %q holds vectors of %d", len(classes), prob, dim)
		}
		return []eval.Option{eval.WithProbabilityCol(prob), eval.WithLabels(classes...)}, nil
	}
	if dim <= 0 {
		return nil, nil
	}
	if classes, err = distinct(t, label); err != nil {
		return nil, err
	}
	if len(classes) == dim {
		return []eval.Option{eval.WithProbabilityCol(prob), eval.WithLabels(classes...)}, nil
	}
	for _, c := range classes {
		if c != math.Trunc(c) || c < 0 || c >= float64(dim) {
			return nil, nil
		}
	}
	return []eval.Option{eval.WithProbabilityCol(prob)}, nil
}

func vectorDim(dt arrow.DataType) int {
	if fl, ok := dt.(*arrow.FixedSizeListType); ok {
		return int(fl.Len())
	}
	return -1
}

// distinct returns the sorted distinct non-null numeric values of col.
func distinct(t *table.Table, col string) ([]float64, error) {
	j, err := table.FieldIndex(t.Schema(), col)
	if err != nil {
		return nil, err
	}
	seen := map[float64]bool{}
	for i := 0; i < t.NumBatches(); i++ {
		c := t.Batch(i).Column(j)
		for r := 0; r < c.Len(); r++ {
			switch v := plain(table.Value(c, r)).(type) {
			case int64:
				seen[float64(v)] = true
			case float64:
				seen[v] = true
			case nil:
			default:
				return nil, fmt.Errorf("label column %q is not numeric (%s)", col, table.TypeName(c.DataType()))
			}
		}
	}
	out := make([]float64, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Float64s(out)
	return out, nil
}
