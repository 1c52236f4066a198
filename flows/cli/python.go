package cli

import (
	"github.com/eddyml/eddy/flows/pyscript"
	_ "github.com/eddyml/eddy/flows/pyscript/flowrun" // eddy.flow_run
	"github.com/spf13/cobra"
)

func newPythonCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "python SCRIPT.py [ARGS...]",
		Short: "Run a Python script (gpython) with the eddy module",
		Long: `Runs SCRIPT.py on the embedded gpython interpreter (a Python 3.4 subset,
no C modules, no numpy: plain lists, dicts and numbers) with "import eddy":

  t = eddy.read_csv("data.csv.gz")        # or eddy.read / eddy.generate(kind=..., rows=...)
  train, test = t.split([0.8, 0.2], seed=1)
  pipe = eddy.pipeline([eddy.stage("vector_assembler", {"input_cols": ["a", "b"]}),
                        eddy.stage("logistic_regression")])
  model = pipe.fit(train)
  m = eddy.evaluate(model.transform(test))   # dict of metrics
  model.save("model.tar")                    # eddy.load("model.tar") reads it back
  reg = eddy.registry("file://.eddy")
  reg.deploy("my_model", reg.put("my_model", model, metrics=m))

Tables have num_rows, columns, schema, head, column, rows, select, slice and
split; eddy.kinds() lists the stage kinds and eddy.describe(kind) their
params. Online learners: l = eddy.learner("ftrl", {"alpha": 0.1}) with
l.update(t), l.update_predict(t) (test-then-train), l.model() (a batch
model), eddy.prequential(task, window) and eddy.drift(kind); eddy.learners()
lists the kinds. eddy.flow_run("flow.yaml") runs a flow to its end. eddy.plot_line / eddy.plot_scatter draw PNG charts (path=...). The
helpers the language lacks are there too (join, format, json_dumps,
json_loads, round, upper, lower, getenv). sys.argv is [SCRIPT.py, ARGS...].
For notebooks, see "eddy kernel --help".
An error prints the Python traceback with the script line and exits 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pyscript.Run(cmd.Context(), args[0], args[1:], cmd.OutOrStdout())
		},
	}
}
