package logreg

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/estimators/internal/linmodel"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

var _ pipeline.RowTransformer = (*Model)(nil)

// RowFunc returns the row function of input schema in (see
// pipeline.RowTransformer): it appends prediction, raw prediction and
// probability, scored by the same code as Transform. Each call reads the
// current model data; data of another class count than at the time of
// RowFunc fails the row (Transform then scores it). A model with
// model_version_col set or sparse features has no row path.
func (m *Model) RowFunc(in *arrow.Schema) (pipeline.RowFunc, error) {
	if _, err := m.OutputSchema(in); err != nil {
		return nil, err
	}
	if err := pipeline.CheckRowSchema(in); err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	if m.ModelVersionCol() != "" {
		return nil, fmt.Errorf("stage %q: model_version_col is set: %w", ModelKind, pipeline.ErrNoRowPath)
	}
	fc := m.FeaturesCol()
	fi, err := table.FieldIndex(in, fc)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	k := len(linmodel.Snapshot(&m.modelBase).State.Labels)
	return func(row pipeline.Row, sc *pipeline.RowScratch) (pipeline.Row, error) {
		snap := linmodel.Snapshot(&m.modelBase)
		if snap == nil {
			return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
		}
		s := snap.State
		if len(s.Labels) != k {
			return nil, fmt.Errorf("stage %q: model data has %d classes, the row function was made for %d", ModelKind, len(s.Labels), k)
		}
		x := row[fi]
		if len(x) != s.Dim {
			return nil, fmt.Errorf("stage %q: column %q: vector of size %d, want %d", ModelKind, fc, len(x), s.Dim)
		}
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("stage %q: column %q row 0: feature %d is %v", ModelKind, fc, j, v)
			}
		}
		vals := sc.Floats(1 + 2*k)
		pred, raw, prob := vals[:1:1], vals[1:1+k:1+k], vals[1+k:]
		score(s, x, 1, pred, raw, prob)
		return pipeline.AppendRow(sc, row, pred, raw, prob), nil
	}, nil
}
