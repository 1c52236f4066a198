// Package accuracy holds the accuracy comparison of Eddy's estimators
// with scikit-learn (issue 5). It has no library code: the harness is
// accuracy_test.go, a test because it assembles transformers with
// estimators, which the import rules allow in tests only. It fits
// vector_assembler + standard_scaler + estimator on the shared datasets
// with the deterministic 75/25 split of esttest.InTrain (seed 42) and
// compares held-out metrics with scripts/accuracy_vs_sklearn.py's:
//
//	go test ./estimators/internal/accuracy              small datasets vs testdata/sklearn.jsonl
//	scripts/accuracy_vs_sklearn.sh                      every dataset, sklearn run side by side
//
// A metric misses when it is more than 1% away from scikit-learn's
// (absolute for accuracy, AUC and F1; relative for log loss, RMSE and R2).
package accuracy
