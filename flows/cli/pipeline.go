package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newPipelineCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pipeline",
		Short: "Work with pipeline YAML files (the stages eddy train fits)",
	}
	var (
		rf    readFlags
		input string
	)
	validate := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a pipeline file: every problem with file:line:column, in one run",
		Long: `Validate parses a pipeline file and checks every stage: known kinds, known
params, valid values. With --input it also reads the input's schema and checks
that every column a stage needs is in the input or made by an earlier stage.`,
		Example: `  eddy pipeline validate flows/spec/testdata/breast_cancer.yaml
  eddy pipeline validate my.yaml --input train.csv.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ps, err := readPipeline(args[0])
			if err != nil {
				return err
			}
			if input != "" {
				src, closeSrc, err := rf.open(cmd.Context(), input)
				if err != nil {
					return err
				}
				err = ps.CheckSchema(nil, src.Schema())
				if err = errors.Join(err, closeSrc()); err != nil {
					return err
				}
			}
			kinds := make([]string, len(ps.Stages))
			for i, st := range ps.Stages {
				kinds[i] = st.Kind
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %d stages (%s), task %s, label %s\n",
				args[0], len(kinds), strings.Join(kinds, ", "), ps.Task, ps.LabelCol)
			return nil
		},
	}
	validate.Flags().StringVar(&input, "input", "", "also check the columns against this file's schema")
	rf.register(validate.Flags())
	cmd.AddCommand(validate)
	return cmd
}
