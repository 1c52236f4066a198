// Package param gives stages typed, validated and documented parameters,
// after Flink ML's Param and WithParams.
//
// # Params
//
// A Param[T] is declared once, at package level, with a name, a doc, a
// default and validators:
//
//	var WithMean = param.New("with_mean", "center the data before scaling", false)
//
// New panics if the default fails a validator: that is a programming
// error, caught at init. Validators (Gt, GtEq, Lt, LtEq, InRange, OneOf,
// NonEmpty, NonEmptySlice, Distinct, Each, Func) carry a description for
// the docs.
//
// # Sets
//
// A Set holds one stage's values: NewSet(kind, params and mixins...).
// Param.Get and Param.Set are typed; SetAny and SetMap take values decoded
// from JSON or YAML by name, convert them carefully (1.0 is an int, 1.5 is
// not; json.Number is exact) and validate them. Every error names the
// stage kind and the param:
//
//	stage "standard_scaler": param "with_mean": want bool, got string "yes"
//
// and an unknown name lists the known ones. SetMap is all or nothing.
// MarshalJSON writes every value, defaults included; Describe lists each
// param's name, type, default, constraints and doc for the CLI.
//
// # Mixins
//
// Shared params (features_col, label_col, prediction_col,
// raw_prediction_col, probability_col, weight_col, seed, max_iter, tol,
// input_col(s), output_col(s), handle_invalid, model_version_col) are
// declared here once, and small embeddable structs give a stage typed
// accessors: embed HasFeaturesCol and pass &s.HasFeaturesCol to NewSet.
package param
