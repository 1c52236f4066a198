package pyscript

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/online"
	"github.com/eddyml/eddy/online/drift"
	"github.com/eddyml/eddy/online/prequential"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/registry"
	"github.com/eddyml/eddy/pipeline/table"

	_ "github.com/eddyml/eddy/online/all" // every online learner kind for eddy.learner
)

// learnerHandle is the Go value of an eddy.Learner.
type learnerHandle struct {
	spec online.Spec
	l    online.Learner
	// version is the last model version model() stamped.
	version int64
	// Scratch of update_predict.
	raw, pred, prob []float64
}

func learnerOf(o *pybridge.Object) *learnerHandle { return o.Value.(*learnerHandle) }

// modelParams are the learner params that mean the same in the batch
// model built from its data, copied into it by model() and predict().
var modelParams = []string{"features_col", "label_col", "input_col", "output_col", "with_mean", "with_std"}

var learnerClass = pybridge.NewClass("Learner", "an online learner (package online): update batch by batch, predict test-then-train, snapshot as a batch model", map[string]pybridge.Method{
	"kind": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return learnerOf(self).spec.Kind, nil
	},
	"task": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return learnerOf(self).spec.Task, nil
	},
	"model_kind": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return learnerOf(self).spec.ModelKind, nil
	},
	"params": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return plain(learnerOf(self).l.Params().Values()), nil
	},
	"rows": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return learnerOf(self).l.Rows(), nil
	},
	"update":         learnerUpdate,
	"update_predict": learnerUpdatePredict,
	"predict":        learnerPredict,
	"model":          learnerModel,
	"warm_start":     learnerWarmStart,
}, func(o *pybridge.Object) string {
	h := learnerOf(o)
	return fmt.Sprintf("<eddy.Learner %s, %d rows learned>", h.spec.Kind, h.l.Rows())
})

func init() {
	pybridge.MustRegisterModuleFunc("learners", "learners(): the registered online learner kinds, sorted", func(_ context.Context, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return online.Kinds(), nil
	})
	pybridge.MustRegisterModuleFunc("learner", "learner(kind, params=None, **params): a new online learner of a registered kind (see learners())", newLearner)
	pybridge.MustRegisterModuleFunc("prequential", "prequential(task, window=1000, label_col='label', prediction_col='prediction', probability_col='probability'): a prequential evaluator (cumulative and windowed metrics)", newPrequential)
	pybridge.MustRegisterModuleFunc("drift", "drift(kind, **config): a drift detector (adwin, ddm, page_hinkley); config fields in snake_case (delta=, threshold=...)", newDrift)
}

func newLearner(_ context.Context, a []any, kw map[string]any) (any, error) {
	kind, params, err := kindAndParams(a, kw)
	if err != nil {
		return nil, err
	}
	spec, err := online.Lookup(kind)
	if err != nil {
		return nil, err
	}
	l, err := online.New(kind, params)
	if err != nil {
		return nil, err
	}
	return learnerClass.NewObject(&learnerHandle{spec: spec, l: l}), nil
}

func learnerUpdate(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table"}, 1)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	h := learnerOf(self)
	for i := 0; i < t.NumBatches(); i++ {
		if err := h.l.Update(ctx, t.Batch(i)); err != nil {
			return nil, fmt.Errorf("batch %d: %w", i, err)
		}
	}
	return t.NumRows(), nil
}

// learnerUpdatePredict learns the table test-then-train and returns it
// with the predictions made before each row was learned.
func learnerUpdatePredict(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table", "prediction_col", "probability_col"}, 1)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	predCol, err := b.str("prediction_col", "prediction")
	if err != nil {
		return nil, err
	}
	probCol, err := b.str("probability_col", "probability")
	if err != nil {
		return nil, err
	}
	h := learnerOf(self)
	sc, ok := h.l.(online.Scorer)
	if !ok {
		return nil, fmt.Errorf("learner %q does not predict (task %s): use update", h.spec.Kind, h.spec.Task)
	}
	sess := sessionOf(ctx)
	outputs := h.spec.ScoreOutputs()
	var schema *arrow.Schema
	withProb := false
	recs := make([]arrow.Record, 0, t.NumBatches())
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for i := 0; i < t.NumBatches(); i++ {
		rec := t.Batch(i)
		if h.raw, err = sc.UpdatePredict(ctx, rec, h.raw[:0]); err != nil {
			return nil, fmt.Errorf("batch %d: %w", i, err)
		}
		n := int(rec.NumRows())
		h.pred, h.prob = outputs(h.l, h.raw, n, h.pred[:0], h.prob[:0])
		if schema == nil {
			withProb = h.prob != nil
			if schema, err = scoredSchema(t.Schema(), predCol, probCol, withProb); err != nil {
				return nil, err
			}
		}
		cols := append([]arrow.Array(nil), rec.Columns()...)
		own := []arrow.Array{float64Array(sess.mem, h.pred[:n])}
		if withProb {
			prob := h.prob
			if len(prob) < n { // a learner that gave no probability for this batch
				prob = make([]float64, n)
				for j := range prob {
					prob[j] = math.NaN()
				}
			}
			own = append(own, float64Array(sess.mem, prob[:n]))
		}
		recs = append(recs, array.NewRecord(schema, append(cols, own...), int64(n)))
		for _, c := range own {
			c.Release()
		}
	}
	if schema == nil { // no batch: the schema still says what would come
		if schema, err = scoredSchema(t.Schema(), predCol, probCol, h.spec.Task == online.TaskBinary); err != nil {
			return nil, err
		}
	}
	out, err := table.New(schema, recs...)
	if err != nil {
		return nil, err
	}
	return sess.keep(out), nil
}

func scoredSchema(in *arrow.Schema, predCol, probCol string, withProb bool) (*arrow.Schema, error) {
	s, err := pipeline.AppendField(in, table.WithRole(arrow.Field{Name: predCol, Type: arrow.PrimitiveTypes.Float64}, table.RolePrediction))
	if err == nil && withProb {
		s, err = pipeline.AppendField(s, table.WithRole(arrow.Field{Name: probCol, Type: arrow.PrimitiveTypes.Float64}, table.RoleProbability))
	}
	return s, err
}

func float64Array(mem memory.Allocator, v []float64) arrow.Array {
	bld := array.NewFloat64Builder(mem)
	defer bld.Release()
	bld.AppendValues(v, nil)
	return bld.NewArray()
}

// batchModel returns the learner's current model data as a model of its
// Spec.ModelKind stamped with version, with the learner's column params
// and then params.
func (h *learnerHandle) batchModel(version int64, params map[string]any) (pipeline.Model, error) {
	values := map[string]any{}
	lp := h.l.Params()
	for _, name := range modelParams {
		if v, err := lp.GetAny(name); err == nil {
			values[name] = v
		}
	}
	info, err := registry.Global().Lookup(h.spec.ModelKind)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, p := range info.Params {
		known[p.Name] = true
	}
	for k := range values {
		if !known[k] {
			delete(values, k)
		}
	}
	for k, v := range params {
		values[k] = v
	}
	st, err := registry.Global().New(h.spec.ModelKind, values)
	if err != nil {
		return nil, err
	}
	m, ok := st.(pipeline.Model)
	if !ok {
		return nil, fmt.Errorf("kind %q is not a model", h.spec.ModelKind)
	}
	recs, err := h.l.ModelData(memory.DefaultAllocator, version)
	if err != nil {
		return nil, fmt.Errorf("model data: %w", err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	if err := m.SetModelData(recs...); err != nil {
		return nil, fmt.Errorf("learner %q: %s: %w", h.spec.Kind, h.spec.ModelKind, err)
	}
	return m, nil
}

// learnerModel returns the learner's current state as a batch model
// (an eddy.Model) stamped with version: by default the last one plus 1.
func learnerModel(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"version", "params"}, 0)
	if err != nil {
		return nil, err
	}
	h := learnerOf(self)
	version, err := b.int("version", h.version+1)
	if err != nil {
		return nil, err
	}
	if version < 1 {
		return nil, fmt.Errorf("version must be positive, got %d", version)
	}
	params, err := b.dict("params")
	if err != nil {
		return nil, err
	}
	m, err := h.batchModel(version, params)
	if err != nil {
		return nil, err
	}
	h.version = max(h.version, version)
	return modelClass.NewObject(m), nil
}

// learnerPredict scores a table with the learner's current model, without
// learning: the batch model's output columns.
func learnerPredict(ctx context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"table", "params"}, 1)
	if err != nil {
		return nil, err
	}
	t, err := b.table("table")
	if err != nil {
		return nil, err
	}
	params, err := b.dict("params")
	if err != nil {
		return nil, err
	}
	h := learnerOf(self)
	m, err := h.batchModel(h.version, params)
	if err != nil {
		return nil, err
	}
	sess := sessionOf(ctx)
	out, err := pipeline.TransformTable(sess.stageCtx(ctx), m, t)
	if err != nil {
		return nil, err
	}
	return sess.keep(out), nil
}

// learnerWarmStart starts the learner from a batch model of its model
// kind (or a pipeline model ending in one).
func learnerWarmStart(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"model"}, 1)
	if err != nil {
		return nil, err
	}
	s, err := stageArg(b["model"], "model")
	if err != nil {
		return nil, err
	}
	h := learnerOf(self)
	ws, ok := h.l.(online.WarmStarter)
	if !ok {
		return nil, fmt.Errorf("learner %q cannot warm start", h.spec.Kind)
	}
	for {
		c, ok := s.(pipeline.Composite)
		if !ok {
			break
		}
		kids := c.Children()
		if len(kids) == 0 {
			return nil, fmt.Errorf("model %q has no stage", s.Kind())
		}
		s = kids[len(kids)-1]
	}
	if s.Kind() != h.spec.ModelKind {
		return nil, fmt.Errorf("learner %q starts from a %s, not a %s", h.spec.Kind, h.spec.ModelKind, s.Kind())
	}
	m, ok := s.(pipeline.Model)
	if !ok {
		return nil, fmt.Errorf("stage %q holds no model data", s.Kind())
	}
	data := m.ModelData()
	defer func() {
		for _, r := range data {
			r.Release()
		}
	}()
	if len(data) == 0 {
		return nil, fmt.Errorf("model %q has no data: fit it first", s.Kind())
	}
	if err := ws.WarmStart(data...); err != nil {
		return nil, fmt.Errorf("learner %q: warm start: %w", h.spec.Kind, err)
	}
	return self, nil
}

// Prequential evaluator.

var evaluatorClass = pybridge.NewClass("Prequential", "a prequential evaluator: cumulative and windowed metrics of test-then-train predictions", map[string]pybridge.Method{
	"update": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		b, err := bind(a, kw, []string{"table"}, 1)
		if err != nil {
			return nil, err
		}
		t, err := b.table("table")
		if err != nil {
			return nil, err
		}
		e := self.Value.(*prequential.Evaluator)
		for i := 0; i < t.NumBatches(); i++ {
			if err := e.Update(t.Batch(i)); err != nil {
				return nil, err
			}
		}
		return e.Rows(), nil
	},
	"metrics": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		e := self.Value.(*prequential.Evaluator)
		m := e.Metrics()
		out := map[string]any{"rows": m.Rows, "window_rows": int64(m.WindowRows)}
		for _, n := range prequential.Names(e.Config().Task) {
			out[n] = m.Cumulative.Get(n)
			out["window_"+n] = m.Window.Get(n)
		}
		return out, nil
	},
}, func(o *pybridge.Object) string {
	e := o.Value.(*prequential.Evaluator)
	return fmt.Sprintf("<eddy.Prequential %s window %d, %d rows>", e.Config().Task, e.Config().Window, e.Rows())
})

func newPrequential(_ context.Context, a []any, kw map[string]any) (any, error) {
	b, err := bind(a, kw, []string{"task", "window", "label_col", "prediction_col", "probability_col"}, 1)
	if err != nil {
		return nil, err
	}
	var cfg prequential.Config
	task, err := b.str("task", "")
	if err != nil {
		return nil, err
	}
	cfg.Task = prequential.Task(task)
	w, err := b.int("window", prequential.DefaultWindow)
	if err != nil {
		return nil, err
	}
	if w < 1 || w > prequential.MaxWindow {
		return nil, fmt.Errorf("window must be in [1, %d], got %d", prequential.MaxWindow, w)
	}
	cfg.Window = int(w)
	if cfg.LabelCol, err = b.str("label_col", ""); err != nil {
		return nil, err
	}
	if cfg.PredictionCol, err = b.str("prediction_col", ""); err != nil {
		return nil, err
	}
	if cfg.ProbabilityCol, err = b.str("probability_col", ""); err != nil {
		return nil, err
	}
	e, err := prequential.New(cfg)
	if err != nil {
		return nil, err
	}
	return evaluatorClass.NewObject(e), nil
}

// Drift detectors.

type driftHandle struct {
	d          drift.Detector
	detections int64
}

var driftClass = pybridge.NewClass("Drift", "a drift detector (online/drift) fed one value at a time", map[string]pybridge.Method{
	"update": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		b, err := bind(a, kw, []string{"x"}, 1)
		if err != nil {
			return nil, err
		}
		var x float64
		if v, ok := b["x"].(bool); ok {
			if v {
				x = 1
			}
		} else if x, err = b.float("x", 0); err != nil {
			return nil, err
		}
		h := self.Value.(*driftHandle)
		detected := h.d.Update(x)
		if detected {
			h.detections++
		}
		return detected, nil
	},
	"state": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return self.Value.(*driftHandle).d.State().String(), nil
	},
	"statistic": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return self.Value.(*driftHandle).d.Statistic(), nil
	},
	"detections": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		return self.Value.(*driftHandle).detections, nil
	},
	"reset": func(_ context.Context, self *pybridge.Object, a []any, kw map[string]any) (any, error) {
		if _, err := bind(a, kw, nil, 0); err != nil {
			return nil, err
		}
		self.Value.(*driftHandle).d.Reset()
		return nil, nil
	},
}, func(o *pybridge.Object) string {
	h := o.Value.(*driftHandle)
	return fmt.Sprintf("<eddy.Drift %s %s, %d detections>", h.d.Name(), h.d.State(), h.detections)
})

func newDrift(_ context.Context, a []any, kw map[string]any) (any, error) {
	if len(a) != 1 {
		return nil, fmt.Errorf("takes the detector kind (%s) and config keywords, got %d arguments", strings.Join(drift.Kinds(), ", "), len(a))
	}
	kind, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("kind must be str, not %s", typeName(a[0]))
	}
	var (
		d   drift.Detector
		err error
	)
	switch kind {
	case drift.KindADWIN:
		var c drift.ADWINConfig
		if err = setConfig(&c, kw); err == nil {
			d, err = drift.NewADWIN(c)
		}
	case drift.KindDDM:
		var c drift.DDMConfig
		if err = setConfig(&c, kw); err == nil {
			d, err = drift.NewDDM(c)
		}
	case drift.KindPageHinkley:
		var c drift.PageHinkleyConfig
		if err = setConfig(&c, kw); err == nil {
			d, err = drift.NewPageHinkley(c)
		}
	default:
		_, err = drift.New(kind) // the error lists the kinds
		if err == nil {
			err = fmt.Errorf("detector kind %q has no config here", kind)
		}
	}
	if err != nil {
		return nil, err
	}
	return driftClass.NewObject(&driftHandle{d: d}), nil
}

// setConfig sets the exported int and float64 fields of the struct cfg
// points to from keywords named in snake_case (MinInstances:
// min_instances).
func setConfig(cfg any, kw map[string]any) error {
	v := reflect.ValueOf(cfg).Elem()
	fields := map[string]reflect.Value{}
	var names []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		k := f.Type.Kind()
		if !f.IsExported() || (k != reflect.Int && k != reflect.Float64) {
			continue
		}
		n := snake(f.Name)
		fields[n] = v.Field(i)
		names = append(names, n)
	}
	b, err := bind(nil, kw, names, 0)
	if err != nil {
		return err
	}
	for n, fv := range fields {
		if !b.has(n) {
			continue
		}
		if fv.Kind() == reflect.Int {
			x, err := b.int(n, 0)
			if err != nil {
				return err
			}
			fv.SetInt(x)
			continue
		}
		x, err := b.float(n, 0)
		if err != nil {
			return err
		}
		fv.SetFloat(x)
	}
	return nil
}

// snake turns a Go field name into snake_case: MinWindowLength is
// min_window_length.
func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
