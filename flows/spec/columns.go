package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/registry"
)

// The params by which stages name the columns they read and write. A
// stage's needs are checked by name; its outputs are known exactly from
// OutputSchema while only transformers came before it, and by these names
// after an estimator (whose model does not exist before fitting).
var (
	inputParams     = []string{"input_col", "features_col", "label_col", "weight_col"}
	inputListParams = []string{"input_cols"}
	outputParams    = []string{"output_col", "prediction_col", "raw_prediction_col", "probability_col", "model_version_col"}
	outputListParam = "output_cols"
)

// maxListed is how many missing columns of one list param are reported
// one by one; more are reported as one problem.
const maxListed = 3

// CheckSchema checks the pipeline against the schema of its input (env
// nil means registry.Global()): every column a stage reads must be in the
// input or made by an earlier stage, and while the schema is known
// exactly (up to the first estimator) each transformer must accept it.
// Unless the task is clustering, the label column must be in the input.
// Every problem is reported, joined, as an *Error at the param naming
// the column.
func (s *PipelineSpec) CheckSchema(env *registry.Environment, in *arrow.Schema) error {
	stages, err := s.buildStages(env)
	if err != nil {
		return err
	}
	p := &problems{file: s.File}
	have := map[string]bool{}
	for _, f := range in.Fields() {
		have[f.Name] = true
	}
	labelMissing := s.Task != TaskClustering && !have[s.LabelCol]
	if labelMissing {
		p.add(s.labelPos, "label column %q is not in the input%s; input columns: %s",
			s.LabelCol, suggest(s.LabelCol, names(in)), listCols(names(in)))
	}
	exact := in // the schema reaching the stage, while it is known exactly
	for i, stage := range stages {
		where := fmt.Sprintf("stage %d (%s)", i+1, stage.Kind())
		ps := stage.Params()
		missing := false
		need := func(param, col string, pos Pos) {
			if col == "" || have[col] || (labelMissing && param == labelColParam && col == s.LabelCol) {
				return // present, or already reported as the label column
			}
			missing = true
			known := sortedKeys(have)
			p.add(pos, "%s: param %q: column %q is not in the input and no earlier stage makes it%s; columns here: %s",
				where, param, col, suggest(col, known), listCols(known))
		}
		for _, name := range inputParams {
			if v, err := ps.GetAny(name); err == nil {
				if col, ok := v.(string); ok {
					need(name, col, s.ParamPos(i, name))
				}
			}
		}
		for _, name := range inputListParams {
			if v, err := ps.GetAny(name); err == nil {
				if cols, ok := v.([]string); ok {
					elems := s.Stages[i].paramElem[name]
					var absent []string
					var first Pos
					for j, col := range cols {
						if col != "" && !have[col] {
							if len(absent) == 0 {
								first = s.ParamPos(i, name)
								if j < len(elems) {
									first = elems[j]
								}
							}
							absent = append(absent, col)
						}
					}
					if len(absent) > maxListed {
						// One problem for many: a file for another input.
						missing = true
						p.add(first, "%s: param %q: %d of its %d columns are not in the input and no earlier stage makes them: %s; columns here: %s",
							where, name, len(absent), len(cols), listCols(absent), listCols(sortedKeys(have)))
						continue
					}
					for j, col := range cols {
						pos := s.ParamPos(i, name)
						if j < len(elems) {
							pos = elems[j]
						}
						need(name, col, pos)
					}
				}
			}
		}
		_, isEst := stage.(pipeline.Estimator)
		if t, ok := stage.(pipeline.Transformer); ok && !isEst && exact != nil && !missing {
			out, err := t.OutputSchema(exact)
			if err != nil {
				p.add(s.Stages[i].Pos, "%s: %v", where, err)
				exact = nil
				continue
			}
			exact = out
			have = map[string]bool{}
			for _, f := range out.Fields() {
				have[f.Name] = true
			}
			continue
		}
		exact = nil
		outs := 0
		for _, name := range outputParams {
			if v, err := ps.GetAny(name); err == nil {
				if col, ok := v.(string); ok && col != "" {
					have[col] = true
					outs++
				}
			}
		}
		if v, err := ps.GetAny(outputListParam); err == nil {
			if cols, ok := v.([]string); ok {
				for _, col := range cols {
					have[col] = true
					outs++
				}
			}
		}
		if outs == 0 && !isEst {
			break // a transformer whose outputs cannot be told before fitting: stop here
		}
	}
	return p.err()
}

func names(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// listCols joins column names, eliding the middle of a long list.
func listCols(cols []string) string {
	const show = 12
	if len(cols) <= show {
		return strings.Join(cols, ", ")
	}
	return fmt.Sprintf("%s, ... (%d columns)", strings.Join(cols[:show], ", "), len(cols))
}
