// Package notebooks holds Eddy's example Jupyter notebooks (.ipynb,
// nbformat 4) for the Eddy kernel (flows/kernel): gpython cells with the
// `eddy` module. It has no Go API; its test executes every notebook with
// Jupyter's own tools.
//
// # Notebooks
//
//   - quickstart.ipynb: eddy.generate, a pipeline fitted and applied,
//     the first rows, metrics.
//   - iris.ipynb: the iris dataset read with eddy.read_csv, a scaled
//     multinomial logistic regression, evaluation on a held-out split.
//   - online_ftrl.ipynb: a click-through-like stream with a concept drift
//     (eddy.generate, categorical columns hashed by feature_hasher) learned
//     batch by batch by FTRL test-then-train (eddy.learner), the windowed
//     AUC and log loss of a prequential evaluator after each batch plotted
//     as a curve, an ADWIN drift detector on the errors, the learner's
//     state as a batch model scoring later rows.
//   - flow.ipynb: a flow walk-through: a small flow YAML (ingest a
//     generated set and a holdout, train, validate, deploy) written from
//     the notebook into eddy.temp_dir and run with eddy.flow_run on
//     embedded stores, its job instances, then the registry's versions,
//     the deployed model scoring new rows and a second run.
//
// # Running them
//
//	eddy kernel install --user
//	jupyter notebook notebooks/        # pick the "Eddy (gpython)" kernel
//	EDDY_DATASETS=/path/to/datasets jupyter nbconvert --to notebook --execute \
//	    --ExecutePreprocessor.kernel_name=eddy --output-dir /tmp notebooks/iris.ipynb
//
// EDDY_DATASETS defaults to ../../shared/datasets, relative to the
// notebook (Jupyter runs the kernel in the notebook's folder).
//
// # Test
//
// notebooks_test.go builds the eddy binary, installs its kernelspec
// into a temporary prefix (JUPYTER_PATH, JUPYTER_DATA_DIR,
// JUPYTER_RUNTIME_DIR and JUPYTER_CONFIG_DIR all point into a temporary
// folder) and runs `jupyter nbconvert --to notebook --execute` on each
// notebook: no cell may fail, and the outputs must contain the expected
// text. The tools are Debian's (scripts/install-jupyter.sh, run by `make
// test`); without them the test skips, except under CI=true where it
// fails.
package notebooks
