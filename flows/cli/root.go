package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	// Every file format, for head and convert.
	_ "github.com/eddyml/eddy/connectors/all"
)

// Main runs the eddy command line with args (without the program name) and
// returns the process exit code: 0 on success, 1 on failure, 130 when ctx
// was cancelled (Ctrl-C).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := NewRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "eddy: interrupted")
		return 130
	default:
		fmt.Fprintln(stderr, "eddy:", err)
		return 1
	}
}

// NewRootCmd builds the command tree writing to stdout and stderr.
func NewRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "eddy",
		Short: "Eddy: streaming machine learning in one Go binary",
		Long: `Eddy fits pipelines on bounded tables, learns online from endless streams,
checkpoints its state exactly once, and serves versioned models over HTTP.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newVersionCmd(),
		newHeadCmd(),
		newConvertCmd(),
		newQuickstartCmd(),
		newServeCmd(),
		newModelsCmd(),
		newPredictCmd(),
		newTrainCmd(),
		newOnlineCmd(),
		newPipelineCmd(),
		newFlowCmd(),
		newPythonCmd(),
		newKernelCmd(),
	)
	return root
}
