package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/pipeline/table"
)

func newHeadCmd() *cobra.Command {
	var (
		rf readFlags
		n  int
	)
	cmd := &cobra.Command{
		Use:   "head FILE",
		Short: "Print the schema and first rows of a CSV, JSON lines, Parquet or Arrow file",
		Example: `  eddy head data.csv.gz
  eddy head -n 20 --schema "zip:string" houses.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 0 {
				return fmt.Errorf("-n: must not be negative, got %d", n)
			}
			if rf.batchSize > n && n > 0 {
				// Inference still sees the whole first batch: keep it
				// large enough to type columns well, but no larger.
				rf.batchSize = max(n, 10_000)
			}
			src, closeSrc, err := rf.open(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			err = table.FormatHead(cmd.OutOrStdout(), src, n)
			if cerr := closeSrc(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if s := src.Skipped(); s > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "skipped %d bad rows so far\n", s)
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "rows", "n", 10, "number of rows to print")
	rf.register(cmd.Flags())
	return cmd
}
