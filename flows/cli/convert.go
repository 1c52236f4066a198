package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/connectors"
)

func newConvertCmd() *cobra.Command {
	var rf readFlags
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert between CSV, JSON lines, Parquet and Arrow files (format by extension)",
		Example: `  eddy convert trips.csv.gz trips.parquet
  eddy convert --on-error skip --dead-letter bad.txt raw.csv clean.arrow`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, out := args[0], args[1]
			if _, err := connectors.FormatFor(out); err != nil {
				return err
			}
			src, closeSrc, err := rf.open(cmd.Context(), in)
			if err != nil {
				return err
			}
			rows, err := convert(cmd, src, out)
			err = errors.Join(err, closeSrc())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d rows to %s", rows, out)
			if s := src.Skipped(); s > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), " (skipped %d bad rows", s)
				if rf.deadLetter != "" {
					fmt.Fprintf(cmd.OutOrStdout(), ", see %s", rf.deadLetter)
				}
				fmt.Fprint(cmd.OutOrStdout(), ")")
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
	rf.register(cmd.Flags())
	return cmd
}

// convert copies every batch of src to a new file at out. The output is
// written atomically by the format's writer: on error nothing is left.
func convert(cmd *cobra.Command, src connectors.Source, out string) (int64, error) {
	w, err := connectors.Create(out, src.Schema(), connectors.WriteOptions{})
	if err != nil {
		return 0, err
	}
	p := startProgress(cmd.ErrOrStderr(), src, 200*time.Millisecond)
	defer p.finish()
	var rows int64
	for src.Next() {
		if err := cmd.Context().Err(); err != nil {
			return rows, errors.Join(err, abort(w))
		}
		rec := src.Record()
		if err := w.Write(rec); err != nil {
			return rows, errors.Join(fmt.Errorf("%s: %w", out, err), abort(w))
		}
		rows += rec.NumRows()
		p.add(rec.NumRows())
	}
	if err := src.Err(); err != nil {
		return rows, errors.Join(err, abort(w))
	}
	return rows, w.Close()
}

// abort discards a half-written output when the writer can.
func abort(w connectors.Writer) error {
	if a, ok := w.(connectors.Aborter); ok {
		return a.Abort()
	}
	return nil
}
