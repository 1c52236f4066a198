// Package pyscript is the scripting API of the `eddy` Python module
// (gpython, see internal/pybridge), PyAlink-like, and Run, which runs a
// script with it: what `eddy python SCRIPT.py` does. Names are Python's
// (snake_case) and otherwise mirror the Go API; values are plain lists,
// dicts and numbers since gpython has no numpy.
//
// # Tables
//
//	t = eddy.read_csv(path, batch_size=, schema="a:int64,b:string", on_error="skip")
//	t = eddy.read(path)              # any format connectors.Open reads; .gz too
//	eddy.write(t, "out.parquet")     # format from the extension; returns the row count
//	t = eddy.generate(kind="classification", rows=1000, seed=1, num_numeric=4, ...)
//	                                 # connectors/generate Config fields (YAML names) as keywords
//	t.num_rows(); t.columns(); t.schema()   # int; [name]; [[name, type]]
//	print(t.head(5))                 # the first rows as a text table
//	t.column("x")                    # list of values (vectors are lists)
//	t.rows(10)                       # list of dicts
//	t.select(["a", "b"]); t.select("a", "b"); t.slice(offset, n)
//	train, test = t.split([0.8, 0.2], seed=1)   # transformers/randomsplitter
//
// # Stages and pipelines
//
//	eddy.kinds()                     # registered kinds (transformers/all, estimators/all)
//	eddy.describe("logistic_regression")   # {"kind", "doc", "type", "params": [...]}
//	s = eddy.stage("standard_scaler", {"input_col": "raw"}, output_col="features")
//	p = eddy.pipeline([s, {"kind": "logistic_regression", "params": {"reg_param": 0.01}}])
//	model = p.fit(train)             # eddy.Model; a transformer's fit returns itself
//	scored = model.transform(test)
//	s.kind(); s.params(); s.set_params(max_iter=50); p.stages()
//	model.save("model.tar")          # pipeline/modelio: a directory, or one .tar file
//	model = eddy.load("model.tar")
//	m = eddy.evaluate(scored, task="binary", label_col="label")
//
// An eddy.Stage must be fitted (an estimator or a pipeline); an
// eddy.Model transforms as it is (a transformer, a fitted model, a
// pipeline model). evaluate's task is auto (default: binary when the
// probability column exists and the labels are 0 and 1, multiclass when
// it exists otherwise, regression without it), binary, multiclass or
// regression; it returns a dict of numbers (rows, accuracy, auc,
// log_loss, precision, recall, f1, threshold | accuracy, macro_f1,
// weighted_f1, macro_precision, macro_recall, log_loss | rmse, mse, mae,
// r2, explained_variance) that registry.put takes as metrics (leaving
// out undefined ones, NaN or infinite). The multiclass log loss needs the
// labels of the probability vectors' elements: labels= when given, else
// the table's distinct labels when there are as many as the vectors'
// dimension, else 0..k-1 when every label is one of those; otherwise it
// is NaN.
//
// # Online learners
//
//	eddy.learners()                  # registered kinds (package online, online/all)
//	l = eddy.learner("ftrl", {"alpha": 0.1}, l1=0.5)   # params by name, as eddy.stage
//	l.update(t)                      # learn every row of a Table, in order; returns its row count
//	s = l.update_predict(t)          # test-then-train: t + prediction (+ probability for
//	                                 # binary learners: P(label 1)), made before each row was learned
//	l.predict(t)                     # score with the current state, without learning
//	m = l.model(version=None, params=None)   # the state as a batch model (Spec.ModelKind,
//	                                 # e.g. logistic_regression_model): transform, save, registry put
//	l.warm_start(model)              # start from a fitted model of that kind (or a pipeline model ending in one)
//	l.rows(); l.kind(); l.task(); l.model_kind(); l.params()
//	ev = eddy.prequential("binary", window=1000)   # binary | multiclass | regression; label_col=, ...
//	ev.update(s); ev.metrics()       # {"rows", "window_rows", "accuracy", "log_loss", "auc",
//	                                 #  "window_accuracy", ...}: the task's metrics, cumulative and windowed
//	d = eddy.drift("adwin")          # adwin | ddm | page_hinkley; config in snake_case (delta=, threshold=)
//	d.update(x)                      # a number (or bool: an error) -> True when a drift is detected
//	d.state(); d.statistic(); d.detections(); d.reset()
//
// l.model() stamps versions 1, 2, 3... (version= sets one); it copies the
// learner's column params (features_col, label_col, input_col,
// output_col) into the model, then params. predict scores with the model
// of the last version taken (the current state). update_predict fails for
// learners that do not predict (online_standard_scaler): update them. A
// learner that cannot predict yet (a Hoeffding tree or naive Bayes before
// its first row) predicts NaN, which the prequential evaluator rejects:
// update it with a first batch before update_predict.
//
// # Files and flows
//
//	eddy.write_text(path, text); eddy.read_text(path)
//	d = eddy.temp_dir()              # removed when a RunSource/RunWith script ends
//	run = eddy.flow_run("flow.yaml", registry=None, state=None, new=False, quiet=False)
//	run["status"]; run["registry"]   # the registry URL the run used
//	for i in run["instances"]: i["id"], i["job"], i["status"], i["cause"], i["attempts"], i["error"], i["outputs"]
//
// flow_run runs a flow file to its end with flows/scheduler on embedded
// stores (the flow's stores, else DIR/.eddy and DIR/.eddy/flows beside the
// flow file) through the FlowRunner that package flows/pyscript/flowrun
// sets (SetFlowRunner: flows/jobs imports this package, so it cannot
// import the scheduler). A run whose jobs failed is returned with status
// failed and its error; an invalid flow file is a Python error listing
// its problems at file:line:column. Jobs' output goes to Options.Stdout
// unless quiet.
//
// # Registry
//
//	reg = eddy.registry("file://.eddy")   # or redis://host:port/db (serving/modelstore)
//	v = reg.put("churn", model, metrics=m, description="...", params={...})
//	reg.stage("churn", v, "validated")    # any lifecycle move the store allows
//	reg.deploy("churn", v)                # validates a new version first
//	reg.list_models(); reg.versions("churn")   # dicts: version, stage, metrics...
//	model = reg.load("churn")             # the deployed version, else the latest
//
// With Options.Registry set (a flow job), eddy.registry() without a URL,
// or with Options.RegistryURL, is that store, shared and left open, and
// registry.put records Options.Lineage in the versions.
// eddy.getenv(name, default=None) reads Options.Env (a flow job's env
// and EDDY_* variables), then the process environment.
//
// # Plots
//
//	eddy.plot_line(xs, ys, path="acc.png", title=, xlabel=, ylabel=, width=640, height=400)
//	eddy.plot_line(None, {"train": [...], "test": [...]})   # one line per key, a legend
//	eddy.plot_scatter(xs, ys, path=...)
//
// Plots are PNG drawn with gonum/plot, written to path and sent to the
// display of the context (WithDisplay: a notebook kernel shows them
// inline); without a path nor a display they are an error. HTML renders
// an eddy.Table as an HTML table for a notebook cell's result.
//
// # Errors
//
// A Go error returned by an eddy function or method becomes a Python
// RuntimeError whose message starts with the function's name
// ("eddy.stage: ...", "Table.column: ..."); the script fails with a
// *pybridge.Error whose File and Line are the innermost script frame,
// so the error points at the line that called eddy, with the traceback.
// Bad arguments (unknown keywords, wrong types) are reported the same
// way.
//
// # Memory and results
//
// RunWith and RunSource allocate the script's tables from
// Options.Allocator and release them, and close its registries and its
// Python UDF stages (their interpreter pools), when the script ends (except when it is abandoned at its deadline: then the
// garbage collector takes them). Relative paths given to read_csv, read,
// write, save, load and the plot functions are resolved against
// Options.Dir when set. Result lists the model versions the
// script put into registries (with their last stage) and the metrics of
// its last evaluate call, for a flow job to publish. Outside Run (a UDF
// pool or a notebook importing eddy), tables come from the Go allocator
// and are left to the garbage collector.
package pyscript
