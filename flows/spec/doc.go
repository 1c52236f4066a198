// Package spec parses the YAML files that describe Eddy's work: for now
// pipeline files (the stages `eddy train` fits), later the flow files
// that embed them as train jobs.
//
// # Pipeline files
//
//	label_col: label            # optional; default label
//	task: auto                  # auto|binary|multiclass|regression|clustering
//	split: {test: 0.25, seed: 42}
//	stages:
//	  - kind: vector_assembler
//	    params: {input_cols: [a, b], output_col: features}
//	  - kind: standard_scaler
//	    params: {input_col: features, output_col: scaled}
//	  - kind: logistic_regression
//	    params: {features_col: scaled}
//
// Stages name registry kinds (transformers and estimators) and their
// params, which the kind's constructor validates. label_col is the label
// for evaluation and the default label_col of every stage declaring one
// that does not set it. split.test is the held-out fraction (0: no
// evaluation). See testdata/*.yaml for commented examples.
//
// # Errors
//
// ParsePipeline reports every problem of a file in one run, joined with
// errors.Join, each an *Error printing as file:line:column: message, with
// the line and column of the YAML node at fault: unknown keys, unknown
// kinds (with close matches), unknown params (naming the known ones),
// values the stage rejects (mapped from *param.Error to the value's
// node), an empty stage list. CheckSchema adds the checks that need the
// input's schema: a column no earlier stage or the input provides.
// Problems flattens the joined error.
package spec
