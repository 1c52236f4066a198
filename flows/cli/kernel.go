package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/flows/kernel"
)

func newKernelCmd() *cobra.Command {
	var connFile string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "kernel --connection-file FILE",
		Short: "Run the Jupyter kernel (gpython with the eddy module); `eddy kernel install` registers it",
		Long: `Runs a Jupyter kernel speaking the messaging protocol 5.3 over ZeroMQ on the
ports and with the HMAC key of the connection file that Jupyter writes. Cells
run on the embedded gpython (a Python 3.4 subset, see "eddy python --help")
in one interpreter, so variables survive between cells; "import eddy" gives
the scripting API. The value of a cell's last expression is its result (an
eddy table shows as an HTML table), print output streams, errors show the
Python traceback with the cell line, and plots made with eddy.plot_* show
inline as PNG.

An interrupt (or --cell-timeout) cannot stop running gpython code: the
interpreter is abandoned and replaced by a fresh one, so the state of earlier
cells is lost, and the runaway code keeps a CPU busy until it ends.

Jupyter launches this command itself once the kernelspec is installed:
  eddy kernel install --user
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=eddy nb.ipynb`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if connFile == "" {
				return errors.New("kernel: --connection-file is required (Jupyter passes it; see eddy kernel install)")
			}
			info, err := kernel.ReadConnectionFile(connFile)
			if err != nil {
				return err
			}
			k, err := kernel.New(info, kernel.Options{CellTimeout: timeout, Log: cmd.ErrOrStderr(), Version: Version})
			if err != nil {
				return err
			}
			// Ctrl-C in the terminal running Jupyter reaches the kernel
			// too: it interrupts the cell instead of killing the kernel.
			// SIGTERM stops it.
			ctx, stop := context.WithCancel(context.WithoutCancel(cmd.Context()))
			defer stop()
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sigs)
			go func() {
				for {
					select {
					case s := <-sigs:
						if s == os.Interrupt {
							k.Interrupt()
						} else {
							stop()
						}
					case <-ctx.Done():
						return
					}
				}
			}()
			return k.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&connFile, "connection-file", "", "the connection file Jupyter wrote (ports, ip, HMAC key)")
	cmd.Flags().DurationVar(&timeout, "cell-timeout", 0, "abandon a cell running longer than this (e.g. 10m); 0 means never")
	cmd.AddCommand(newKernelInstallCmd())
	return cmd
}

func newKernelInstallCmd() *cobra.Command {
	var prefix, name string
	var user bool
	cmd := &cobra.Command{
		Use:   "install [--user | --prefix DIR]",
		Short: "Register the eddy kernelspec with Jupyter",
		Long: `Writes kernels/eddy/kernel.json (display name "Eddy (gpython)") into a Jupyter
data directory, pointing at this eddy binary by its absolute path:
  --user (the default)  Jupyter's user data dir ($JUPYTER_DATA_DIR, else
                        ~/.local/share/jupyter)
  --prefix DIR          DIR/share/jupyter, found by Jupyter when DIR is its
                        sys.prefix or DIR/share/jupyter is on JUPYTER_PATH`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user && prefix != "" {
				return errors.New("kernel install: --user and --prefix exclude each other")
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("kernel install: locate the eddy binary: %w", err)
			}
			if resolved, err := filepath.EvalSymlinks(exe); err == nil {
				exe = resolved
			}
			if exe, err = filepath.Abs(exe); err != nil {
				return fmt.Errorf("kernel install: %w", err)
			}
			dataDir := kernel.PrefixDataDir(prefix)
			if prefix == "" {
				if dataDir, err = kernel.UserDataDir(); err != nil {
					return err
				}
			}
			dir, err := kernel.InstallSpec(dataDir, name, kernel.NewSpec(exe))
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "installed kernelspec %s in %s\n", name, dir)
			return err
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", "", "install into DIR/share/jupyter/kernels")
	cmd.Flags().BoolVar(&user, "user", false, "install into the user's Jupyter data directory (default)")
	cmd.Flags().StringVar(&name, "name", kernel.DefaultName, "kernelspec name")
	return cmd
}
