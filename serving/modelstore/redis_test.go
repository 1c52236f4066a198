package modelstore_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/eddyml/eddy/internal/testutil"
	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/serving/modelstore/storetest"
	"github.com/redis/go-redis/v9"
)

// quietLogger silences go-redis's process-wide logger, which reports
// every failed dial while a test has the server down.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

func TestRedisConformance(t *testing.T) {
	rd := testutil.StartRedis(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) modelstore.Store {
		// One server, a fresh key prefix per store.
		url := fmt.Sprintf("%s?prefix=t%d:", rd.URL(), n.Add(1))
		s, err := modelstore.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
