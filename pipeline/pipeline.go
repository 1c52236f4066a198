package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// The kind names of Pipeline and PipelineModel in the registry.
const (
	KindPipeline      = "pipeline"
	KindPipelineModel = "pipeline_model"
)

// Pipeline is an Estimator made of stages run in order. Fit passes the
// data through them: a Transformer transforms it for the next stage; an
// Estimator is fit on it, and its model transforms it for the next stage.
// The result is a PipelineModel of the transformers and fitted models.
type Pipeline struct {
	stages []Stage
	params *param.Set
}

var (
	_ Estimator = (*Pipeline)(nil)
	_ Composite = (*Pipeline)(nil)
)

// NewPipeline returns a pipeline of stages, each a Transformer or an
// Estimator.
func NewPipeline(stages ...Stage) (*Pipeline, error) {
	for i, s := range stages {
		if s == nil {
			return nil, fmt.Errorf("new pipeline: stage %d is nil", i)
		}
		_, isT := s.(Transformer)
		_, isE := s.(Estimator)
		if !isT && !isE {
			return nil, fmt.Errorf("new pipeline: stage %d (%s) is neither a transformer nor an estimator", i, s.Kind())
		}
	}
	return &Pipeline{stages: append([]Stage(nil), stages...), params: param.NewSet(KindPipeline)}, nil
}

// Kind returns "pipeline".
func (p *Pipeline) Kind() string { return KindPipeline }

// Params returns the pipeline's params (none: its stages have theirs).
func (p *Pipeline) Params() *param.Set { return p.params }

// Children returns the stages.
func (p *Pipeline) Children() []Stage { return append([]Stage(nil), p.stages...) }

// Fit fits the pipeline on r (borrowed) and returns a *PipelineModel.
//
// Data flows lazily: transformers wrap the reader batch by batch. Only
// when an estimator is followed by another estimator is its input read
// into a table.Table, so that it can be fit and then transformed for the
// next stage; the last estimator is fit straight on the stream, and the
// stages after it are not run at all.
func (p *Pipeline) Fit(ctx context.Context, r table.Reader) (Model, error) {
	last := -1
	for i, s := range p.stages {
		if _, ok := s.(Estimator); ok {
			last = i
		}
	}
	schema := r.Schema()
	fitted := make([]Transformer, len(p.stages))
	// cur is the data for the stage at hand; owned when owned is true.
	var cur table.Reader = r
	owned := false
	release := func() {
		if owned {
			cur.Release()
		}
	}
	for i, s := range p.stages {
		if i > last {
			fitted[i] = s.(Transformer)
			continue
		}
		if err := ctx.Err(); err != nil {
			release()
			return nil, fmt.Errorf("fit pipeline: %w", err)
		}
		if e, ok := s.(Estimator); ok {
			var next table.Reader
			var m Model
			var err error
			if i < last {
				// A later estimator needs this stage's output: keep the
				// input so that the model can transform it after Fit.
				var tbl *table.Table
				tbl, err = table.ReadAll(cur)
				release()
				if err != nil {
					return nil, stageErr(i, s, "fit", err)
				}
				tr := tbl.Reader()
				m, err = safeFit(ctx, e, tr)
				tr.Release()
				if err == nil {
					next, err = TransformReader(ctx, m, tbl.Reader())
				}
				tbl.Release()
			} else {
				m, err = safeFit(ctx, e, cur)
				release()
			}
			if err != nil {
				return nil, stageErr(i, s, "fit", err)
			}
			fitted[i] = m
			if next != nil {
				cur, owned = next, true
			}
			continue
		}
		t := s.(Transformer)
		fitted[i] = t
		next, err := TransformReader(ctx, t, borrow(cur, owned))
		if err != nil {
			return nil, stageErr(i, s, "transform", err)
		}
		cur, owned = next, true
	}
	if last < 0 {
		release() // only transformers: nothing was read
	}
	pm, err := NewPipelineModel(fitted...)
	if err != nil {
		return nil, err
	}
	// The stages after the last estimator never saw data: check that they
	// accept what reaches them now rather than at the first Transform.
	if _, err := pm.OutputSchema(schema); err != nil {
		return nil, fmt.Errorf("fit pipeline: %w", err)
	}
	return pm, nil
}

// FitTransform fits the pipeline on r (borrowed) as Fit does and also
// returns the data transformed by every stage: the fitted model and the
// transformed table, which the caller owns (one Release).
//
// Each stage runs once. The input is read into a table.Table; the
// transformers (and fitted models) between two estimators are applied to
// it together with TransformTable, batch by batch on all cores; each
// estimator is fit on the table that reaches it and its model joins the
// transformers that follow (an estimator that is a FitTransformer fits
// and transforms in one go). The result is what TransformTable(ctx,
// model, input) returns, without transforming the data a second time (as
// scikit-learn's fit_transform).
func (p *Pipeline) FitTransform(ctx context.Context, r table.Reader) (*PipelineModel, *table.Table, error) {
	cur, err := table.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("fit pipeline: %w", err)
	}
	fitted := make([]Transformer, len(p.stages))
	// pending are the stages [from, i) not yet applied to cur.
	from := 0
	apply := func(to int) error {
		if from == to {
			return nil
		}
		c := &chain{stages: fitted[from:to], first: from}
		next, err := TransformTable(ctx, c, cur)
		if err != nil {
			return fmt.Errorf("fit pipeline: %w", err)
		}
		cur.Release()
		cur, from = next, to
		return nil
	}
	for i, s := range p.stages {
		e, ok := s.(Estimator)
		if !ok {
			fitted[i] = s.(Transformer)
			continue
		}
		if err := apply(i); err != nil {
			cur.Release()
			return nil, nil, err
		}
		if err := ctx.Err(); err != nil {
			cur.Release()
			return nil, nil, fmt.Errorf("fit pipeline: %w", err)
		}
		if ft, ok := e.(FitTransformer); ok {
			m, out, err := safeFitTransform(ctx, ft, cur)
			cur.Release()
			if err != nil {
				return nil, nil, stageErr(i, s, "fit", err)
			}
			fitted[i], cur, from = m, out, i+1
			continue
		}
		tr := cur.Reader()
		m, err := safeFit(ctx, e, tr)
		tr.Release()
		if err != nil {
			cur.Release()
			return nil, nil, stageErr(i, s, "fit", err)
		}
		fitted[i] = m
	}
	if err := apply(len(p.stages)); err != nil {
		cur.Release()
		return nil, nil, err
	}
	pm, err := NewPipelineModel(fitted...)
	if err != nil {
		cur.Release()
		return nil, nil, err
	}
	return pm, cur, nil
}

// chain applies stages in order, naming them by their position in the
// pipeline (first + their index) in errors.
type chain struct {
	stages []Transformer
	first  int
}

func (c *chain) Kind() string       { return KindPipelineModel }
func (c *chain) Params() *param.Set { return param.NewSet(KindPipelineModel) }

func (c *chain) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	s := in
	for i, st := range c.stages {
		out, err := st.OutputSchema(s)
		if err != nil {
			return nil, stageErr(c.first+i, st, "output schema", err)
		}
		s = out
	}
	return s, nil
}

func (c *chain) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	cur := rec
	for i, st := range c.stages {
		out, err := safeTransform(ctx, st, cur)
		if cur != rec {
			cur.Release()
		}
		if err != nil {
			return nil, stageErr(c.first+i, st, "transform", err)
		}
		cur = out
	}
	if cur == rec {
		rec.Retain()
	}
	return cur, nil
}

// borrow returns r as a reader its taker may Release: r itself when owned,
// otherwise a wrapper whose Release does nothing.
func borrow(r table.Reader, owned bool) table.Reader {
	if owned {
		return r
	}
	return noRelease{r}
}

type noRelease struct{ table.Reader }

func (noRelease) Release() {}

// PipelineModel is a chain of transformers (plain transformers and fitted
// models) made by Pipeline.Fit or NewPipelineModel. It is a Model with no
// model data of its own: get and set its stages' data instead.
type PipelineModel struct {
	stages []Transformer
	params *param.Set
}

var (
	_ Model     = (*PipelineModel)(nil)
	_ Composite = (*PipelineModel)(nil)
)

// NewPipelineModel returns a model chaining stages.
func NewPipelineModel(stages ...Transformer) (*PipelineModel, error) {
	for i, s := range stages {
		if s == nil {
			return nil, fmt.Errorf("new pipeline model: stage %d is nil", i)
		}
	}
	return &PipelineModel{stages: append([]Transformer(nil), stages...), params: param.NewSet(KindPipelineModel)}, nil
}

// Kind returns "pipeline_model".
func (m *PipelineModel) Kind() string { return KindPipelineModel }

// Params returns the model's params (none).
func (m *PipelineModel) Params() *param.Set { return m.params }

// Stages returns the chained transformers.
func (m *PipelineModel) Stages() []Transformer { return append([]Transformer(nil), m.stages...) }

// Children returns the chained transformers as stages.
func (m *PipelineModel) Children() []Stage {
	out := make([]Stage, len(m.stages))
	for i, s := range m.stages {
		out[i] = s
	}
	return out
}

// OutputSchema chains the stages' output schemas; the error names the
// first stage that rejects its input.
func (m *PipelineModel) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	return (&chain{stages: m.stages}).OutputSchema(in)
}

// Transform passes rec (borrowed) through every stage, releasing the
// intermediate batches. The caller owns one Release of the result.
func (m *PipelineModel) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	return (&chain{stages: m.stages}).Transform(ctx, rec)
}

// ModelData returns nil: a pipeline model's data lives in its stages.
func (m *PipelineModel) ModelData() []arrow.Record { return nil }

// SetModelData accepts no records: set the data of the stages instead.
func (m *PipelineModel) SetModelData(recs ...arrow.Record) error {
	if len(recs) > 0 {
		return errors.New("pipeline model has no model data of its own: set its stages' data")
	}
	return nil
}
