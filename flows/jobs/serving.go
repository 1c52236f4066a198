package jobs

import (
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/serving/httpapi"
	"github.com/eddyml/eddy/serving/modelstore"
)

// predictionCols are the columns a served prediction returns, when the
// model adds them: the answer, not the intermediate features.
var predictionCols = []string{"prediction", "probability", "raw_prediction"}

// setServingParams records in info what the HTTP server needs to serve
// model well: the input columns it reads, typed and nullable (training
// data may have missing values; the stages decide what a null means), so
// that requests are typed by the schema rather than guessed and small
// requests can take the row fast path; and the prediction columns a
// request returns. in is the training data's schema; columns the model
// does not read (the label, a timestamp) are left out, found by asking
// the model whether its output schema still holds without each one.
func setServingParams(info *modelstore.Info, model pipeline.Transformer, in *arrow.Schema) error {
	out, err := model.OutputSchema(in)
	if err != nil {
		return fmt.Errorf("output schema: %w", err)
	}
	var cols []string
	for _, c := range predictionCols {
		if out.HasField(c) && !in.HasField(c) {
			cols = append(cols, c)
		}
	}
	if len(cols) > 0 {
		httpapi.SetOutputCols(info, cols...)
	}
	fields := in.Fields()
	var need []arrow.Field
	for i, f := range fields {
		rest := arrow.NewSchema(slices.Delete(slices.Clone(fields), i, i+1), nil)
		if _, err := model.OutputSchema(rest); err != nil {
			need = append(need, f)
		}
	}
	if len(need) == 0 {
		return nil
	}
	return httpapi.SetNullableInputSchema(info, arrow.NewSchema(need, nil))
}

// copyServingParams carries the serving params of version from over to
// info: a version an online learner derived reads and returns the same
// columns.
func copyServingParams(info *modelstore.Info, from modelstore.Version) {
	for _, k := range []string{httpapi.ParamInputSchema, httpapi.ParamOutputCols} {
		if v, ok := from.Params[k]; ok {
			if info.Params == nil {
				info.Params = map[string]string{}
			}
			info.Params[k] = v
		}
	}
}
