// Package online is the common face of Eddy's incremental learners
// (online/ftrl, online/sgd, online/softmax, online/pa, online/kmeans,
// online/naivebayes, online/scaler, online/hoeffding): the Learner interface
// they all implement, the optional Scorer and WarmStarter abilities, and the
// kind registry that builds a learner by name for flows and the CLI.
// Package online/modelstream puts them on the stream engine.
//
// # Learners
//
// A Learner is driven by its caller (reverse communication): Update learns a
// batch, Snapshot and Restore carry the whole state bit for bit, ModelData
// returns the model data of the matching batch model (Spec.ModelKind, for
// instance ftrl -> logistic_regression_model) stamped with a model version,
// so pipeline.Model.SetModelData on a loaded batch model of that kind
// hot-swaps it. A Scorer also predicts each row before learning it
// (test-then-train, UpdatePredict); a WarmStarter starts from a batch
// model's data.
//
// # Registry
//
// Every learner package registers its kinds from init (a register.go file
// per package) with MustRegister(Spec{Kind, ModelKind, Task, Doc, New,
// Outputs}); importing online/all registers them all. New(kind, values)
// builds a learner from param values decoded from JSON or YAML; Lookup and
// Kinds list what is known. Kind names are each package's Kind constant:
//
//	ftrl                         binary        logistic_regression_model
//	online_logistic_regression   binary        logistic_regression_model
//	online_linear_regression     regression    linear_regression_model
//	online_softmax_regression    multiclass    logistic_regression_model
//	online_pa_classifier         binary        linear_svc_model
//	online_pa_regressor          regression    linear_regression_model
//	online_kmeans                clustering    kmeans_model
//	online_gaussian_nb           multiclass    gaussian_nb_model
//	online_multinomial_nb        multiclass    multinomial_nb_model
//	online_standard_scaler       transform     standard_scaler_model
//	online_hoeffding_tree        multiclass    decision_tree_classifier_model
//
// # Predictions
//
// What UpdatePredict writes depends on the learner (a probability, a margin,
// K class probabilities, a label). Spec.Outputs turns it into the two
// columns every stream consumer understands: "prediction" (the label, value
// or cluster predicted before the row was learned) and, for binary
// classifiers with probabilities (ftrl, online_logistic_regression),
// "probability" = P(positive label). RawPredictions, BinaryProbability,
// BinaryMargin and ArgmaxClass are the shared mappings.
//
// The online_kmeans kind is registered through a thin adapter whose
// UpdatePredict writes cluster indices as float64 (the package's own
// UpdatePredict writes ints), so New("online_kmeans", ...) returns that
// adapter, not a *kmeans.KMeans.
package online
