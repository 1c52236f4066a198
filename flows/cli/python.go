package cli

import (
	"github.com/eddyml/eddy/flows/pyscript"
	"github.com/spf13/cobra"
)

func newPythonCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "python SCRIPT.py [ARGS...]",
		Short: "Run a Python script (gpython) with the eddy module",
		Long: `Runs SCRIPT.py on the embedded gpython interpreter (a Python 3.4 subset,
no C modules) with "import eddy" giving read_csv and the helpers the language
lacks (join, format, json_dumps, json_loads, round, upper, lower).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pyscript.Run(cmd.Context(), args[0], args[1:], cmd.OutOrStdout())
		},
	}
}
