package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/serving/httpapi"
	"github.com/eddyml/eddy/serving/modelstore"
)

// redisLogger sends go-redis's internal logs (failed dials) to slog.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn(fmt.Sprintf(format, v...), "component", "redis")
}

func newServeCmd() *cobra.Command {
	var (
		registry, addr, token string
		predictAuth, fastLane bool
		maxRows, gcPercent    int
		maxBody               int64
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the deployed models of a registry over HTTP (predict, Open Inference Protocol v2)",
		Example: `  eddy serve --registry file://.eddy --addr :8080 --token $EDDY_TOKEN
  curl -d '{"instances":[{"age":31,"income":2.5}]}' localhost:8080/v1/models/ctr:predict`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if _, set := os.LookupEnv("GOGC"); !set && gcPercent > 0 {
				debug.SetGCPercent(gcPercent)
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			redis.SetLogger(redisLogger{log})
			st, err := modelstore.Open(ctx, registry)
			if err != nil {
				return err
			}
			defer st.Close()
			reg := prometheus.NewRegistry()
			reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			s, err := httpapi.New(st, httpapi.Config{Addr: addr, Token: token, RequireTokenForPredict: predictAuth,
				MaxRows: maxRows, MaxBodyBytes: maxBody, Logger: log, Registerer: reg, Gatherer: reg, DisableFastLane: !fastLane})
			if err != nil {
				return err
			}
			return s.ListenAndServe(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&registry, "registry", modelstore.DefaultURL, "model registry URL: file://DIR or redis://host:port/db")
	f.StringVar(&addr, "addr", ":8080", "listen address")
	f.StringVar(&token, "token", "", "bearer token for admin routes (empty disables them)")
	f.BoolVar(&predictAuth, "predict-auth", false, "require the token on predict routes too")
	f.IntVar(&maxRows, "max-rows", 10_000, "maximum rows per request")
	f.Int64Var(&maxBody, "max-body", 16<<20, "maximum request body in bytes")
	f.BoolVar(&fastLane, "fast-lane", true, "serve small JSON predict requests on a lean HTTP/1.1 loop (the same answers; false: net/http for every request)")
	// A model server's live heap is small (the models) and its garbage
	// per request large (each request's batches): at Go's default of 100
	// the collector runs every few hundred requests and costs about a
	// quarter of the CPU per request; 400 cuts that (measured with
	// scripts/bench_http.sh) for a heap target of five times the models.
	f.IntVar(&gcPercent, "gc-percent", 400, "garbage collector target percentage when the GOGC environment variable is unset (0 keeps Go's default)")
	return cmd
}
