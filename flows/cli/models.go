package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/serving/modelstore"
)

func newModelsCmd() *cobra.Command {
	var registry string
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List and manage model versions in the registry",
	}
	cmd.PersistentFlags().StringVar(&registry, "registry", modelstore.DefaultURL, "model registry URL: file://DIR or redis://host:port/db")
	withStore := func(fn func(cmd *cobra.Command, st modelstore.Store, args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			st, err := modelstore.Open(cmd.Context(), registry)
			if err != nil {
				return err
			}
			defer st.Close()
			return fn(cmd, st, args)
		}
	}
	version := func(name, s string) (int64, error) {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 1 {
			return 0, fmt.Errorf("model %q: version %q: want a positive number", name, s)
		}
		return v, nil
	}
	list := &cobra.Command{
		Use: "list", Short: "List models with their latest and deployed versions", Args: cobra.NoArgs,
		RunE: withStore(func(cmd *cobra.Command, st modelstore.Store, _ []string) error {
			ctx := cmd.Context()
			names, err := st.ListModels(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MODEL\tLATEST\tDEPLOYED")
			for _, n := range names {
				latest, err := st.Latest(ctx, n)
				lv := "-"
				if err == nil {
					lv = strconv.FormatInt(latest.Version, 10)
				}
				dep, err := st.Deployed(ctx, n)
				if err != nil {
					return err
				}
				ds := make([]string, len(dep))
				for i, d := range dep {
					ds[i] = strconv.FormatInt(d.Version, 10)
				}
				if len(ds) == 0 {
					ds = []string{"-"}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", n, lv, strings.Join(ds, ","))
			}
			return tw.Flush()
		}),
	}
	show := &cobra.Command{
		Use: "show NAME", Short: "Show every version of a model", Args: cobra.ExactArgs(1),
		RunE: withStore(func(cmd *cobra.Command, st modelstore.Store, args []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSTAGE\tALIASES\tSIZE\tCREATED\tMETRICS")
			after := int64(0)
			for {
				page, next, err := st.ListVersions(cmd.Context(), args[0], modelstore.ListOptions{After: after})
				if err != nil {
					return err
				}
				for _, v := range page {
					m, _ := json.Marshal(v.Metrics)
					if v.Metrics == nil {
						m = []byte("-")
					}
					al := strings.Join(v.Aliases, ",")
					if al == "" {
						al = "-"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", v.Version, v.Stage, al, v.Size, v.Created.UTC().Format("2006-01-02T15:04:05Z"), m)
				}
				if next == 0 {
					break
				}
				after = next
			}
			return tw.Flush()
		}),
	}
	stage := &cobra.Command{
		Use: "stage NAME VERSION STAGE", Short: "Move a version to a stage (validated, deployed, deprecated, rejected)", Args: cobra.ExactArgs(3),
		RunE: withStore(func(cmd *cobra.Command, st modelstore.Store, args []string) error {
			v, err := version(args[0], args[1])
			if err != nil {
				return err
			}
			ver, err := st.SetStage(cmd.Context(), args[0], v, modelstore.Stage(args[2]), nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s version %d: %s\n", ver.Model, ver.Version, ver.Stage)
			return nil
		}),
	}
	alias := &cobra.Command{
		Use: "alias NAME ALIAS VERSION", Short: "Point an alias (champion) at a version", Args: cobra.ExactArgs(3),
		RunE: withStore(func(cmd *cobra.Command, st modelstore.Store, args []string) error {
			v, err := version(args[0], args[2])
			if err != nil {
				return err
			}
			if err := st.SetAlias(cmd.Context(), args[0], args[1], v); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s@%s -> version %d\n", args[0], args[1], v)
			return nil
		}),
	}
	rm := &cobra.Command{
		Use: "rm NAME VERSION", Short: "Delete a version (not a deployed or aliased one)", Args: cobra.ExactArgs(2),
		RunE: withStore(func(cmd *cobra.Command, st modelstore.Store, args []string) error {
			v, err := version(args[0], args[1])
			if err != nil {
				return err
			}
			if err := st.Delete(cmd.Context(), args[0], v); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s version %d deleted\n", args[0], v)
			return nil
		}),
	}
	cmd.AddCommand(list, show, stage, alias, rm)
	return cmd
}
