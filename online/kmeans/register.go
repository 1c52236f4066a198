package kmeans

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/online"
)

func init() {
	online.MustRegister(online.Spec{
		Kind:      Kind,
		ModelKind: kmeans.ModelKind,
		Task:      online.TaskClustering,
		Doc:       "online k-means with a decay factor (mini-batch updates)",
		New: func(v map[string]any) (online.Learner, error) {
			m, err := New(v)
			if err != nil {
				return nil, err
			}
			return &scorer{KMeans: m}, nil
		},
	})
}

// scorer is the registered face of KMeans: an online.Scorer whose
// UpdatePredict writes each row's cluster (-1 while buffering) as float64.
type scorer struct {
	*KMeans
	clusters []int
}

func (s *scorer) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	var err error
	s.clusters, err = s.KMeans.UpdatePredict(ctx, rec, s.clusters[:0])
	if err != nil {
		return dst, err
	}
	if cap(dst) < len(s.clusters) {
		dst = make([]float64, len(s.clusters))
	}
	dst = dst[:len(s.clusters)]
	for i, c := range s.clusters {
		dst[i] = float64(c)
	}
	return dst, nil
}
