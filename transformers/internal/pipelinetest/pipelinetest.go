// Package pipelinetest builds the feature pipeline of issue 4's acceptance
// test and benchmark: StringIndexer (handle_invalid=keep) + OneHotEncoder
// + VectorAssembler (numeric columns and one-hot vectors) +
// StandardScaler, as scikit-learn's ColumnTransformer of OneHotEncoder
// and StandardScaler. Its tests check that the fitted pipeline gives
// identical output as a table, as a stream at parallelism 2 and batch by
// batch.
package pipelinetest

import (
	"context"
	"fmt"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/onehotencoder"
	"github.com/eddyml/eddy/transformers/standardscaler"
	"github.com/eddyml/eddy/transformers/stringindexer"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// Fit fits the pipeline on tbl (borrowed): categorical columns cats are
// indexed (suffix "_idx") and one-hot encoded (suffix "_oh", drop_last
// false), assembled after the numeric columns nums into "features" and
// standardised into "scaled" (with_mean, with_std).
//
// It fits in two steps because vector_assembler needs the size of each
// sparse one-hot input (input_sizes), known only once the encoder is fit:
// first string_indexer + one_hot_encoder, then, with those fitted models
// as transformers, vector_assembler + standard_scaler. The result is one
// PipelineModel of the four stages.
func Fit(ctx context.Context, tbl *table.Table, cats, nums []string) (*pipeline.PipelineModel, error) {
	idx, oh := make([]string, len(cats)), make([]string, len(cats))
	for j, c := range cats {
		idx[j], oh[j] = c+"_idx", c+"_oh"
	}
	si, err := stringindexer.New(map[string]any{"input_cols": cats, "output_cols": idx, "handle_invalid": "keep"})
	if err != nil {
		return nil, err
	}
	ohe, err := onehotencoder.New(map[string]any{"input_cols": idx, "output_cols": oh, "drop_last": false})
	if err != nil {
		return nil, err
	}
	p1, err := pipeline.NewPipeline(si, ohe)
	if err != nil {
		return nil, err
	}
	r := tbl.Reader()
	m1, err := p1.Fit(ctx, r)
	r.Release()
	if err != nil {
		return nil, err
	}
	stages := m1.(*pipeline.PipelineModel).Stages()
	ohm, ok := stages[1].(*onehotencoder.Model)
	if !ok {
		return nil, fmt.Errorf("stage 1 is %T, want a one-hot encoder model", stages[1])
	}
	sizes := make([]int, 0, len(nums)+len(cats))
	for range nums {
		sizes = append(sizes, 1)
	}
	for _, n := range ohm.NumCategories() {
		sizes = append(sizes, int(n)) // drop_last=false, handle_invalid=error: numCategories
	}
	va, err := vectorassembler.New(map[string]any{"input_cols": append(append([]string(nil), nums...), oh...),
		"output_col": "features", "input_sizes": sizes})
	if err != nil {
		return nil, err
	}
	ss, err := standardscaler.New(map[string]any{"input_col": "features", "output_col": "scaled"})
	if err != nil {
		return nil, err
	}
	p2, err := pipeline.NewPipeline(stages[0], stages[1], va, ss)
	if err != nil {
		return nil, err
	}
	r = tbl.Reader()
	m, err := p2.Fit(ctx, r)
	r.Release()
	if err != nil {
		return nil, err
	}
	return m.(*pipeline.PipelineModel), nil
}

// FitColumnwise fits the layout of scikit-learn's
// ColumnTransformer([("num", StandardScaler(), nums), ("cat",
// OneHotEncoder(), cats)]) on tbl (borrowed): see Columnwise.
func FitColumnwise(ctx context.Context, tbl *table.Table, cats, nums []string) (*pipeline.PipelineModel, error) {
	p, err := Columnwise(cats, nums)
	if err != nil {
		return nil, err
	}
	r := tbl.Reader()
	m, err := p.Fit(ctx, r)
	r.Release()
	if err != nil {
		return nil, err
	}
	return m.(*pipeline.PipelineModel), nil
}

// FitTransformColumnwise fits Columnwise's pipeline on tbl (borrowed) and
// returns the model and the transformed table (the caller owns one
// Release), each stage running once, as scikit-learn's
// ColumnTransformer.fit_transform.
func FitTransformColumnwise(ctx context.Context, tbl *table.Table, cats, nums []string) (*pipeline.PipelineModel, *table.Table, error) {
	p, err := Columnwise(cats, nums)
	if err != nil {
		return nil, nil, err
	}
	r := tbl.Reader()
	defer r.Release()
	return p.FitTransform(ctx, r)
}

// Columnwise returns the pipeline of scikit-learn's
// ColumnTransformer([("num", StandardScaler(), nums), ("cat",
// OneHotEncoder(), cats)]): string_indexer (keep) and one_hot_encoder
// (drop_last false) give one sparse vector per categorical column
// ("<col>_oh"); vector_assembler packs the numeric columns into
// "num_features", which standard_scaler standardises into "num_scaled".
// Unlike Fit, the one-hot vectors stay sparse (as scikit-learn's output),
// instead of being densified into one wide vector.
func Columnwise(cats, nums []string) (*pipeline.Pipeline, error) {
	idx, oh := make([]string, len(cats)), make([]string, len(cats))
	for j, c := range cats {
		idx[j], oh[j] = c+"_idx", c+"_oh"
	}
	si, err := stringindexer.New(map[string]any{"input_cols": cats, "output_cols": idx, "handle_invalid": "keep"})
	if err != nil {
		return nil, err
	}
	ohe, err := onehotencoder.New(map[string]any{"input_cols": idx, "output_cols": oh, "drop_last": false})
	if err != nil {
		return nil, err
	}
	va, err := vectorassembler.New(map[string]any{"input_cols": nums, "output_col": "num_features"})
	if err != nil {
		return nil, err
	}
	ss, err := standardscaler.New(map[string]any{"input_col": "num_features", "output_col": "num_scaled"})
	if err != nil {
		return nil, err
	}
	// The numeric branch goes first: Pipeline.Fit does not transform with
	// the last estimator's model, so the one-hot vectors are only made
	// once the pipeline model runs.
	return pipeline.NewPipeline(va, ss, si, ohe)
}
