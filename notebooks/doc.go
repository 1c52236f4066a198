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
