package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	rows       *prometheus.CounterVec
	version    *prometheus.GaugeVec
	loads      *prometheus.CounterVec
	registryUp prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eddy_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "eddy_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eddy_predict_rows_total", Help: "Rows scored by model.",
		}, []string{"model"}),
		version: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "eddy_model_version", Help: "Deployed model version in use.",
		}, []string{"model"}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eddy_model_loads_total", Help: "Deployed model loads by result (ok, error).",
		}, []string{"model", "result"}),
		registryUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "eddy_registry_up", Help: "1 when the model registry answered the server's last call.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.rows, m.version, m.loads, m.registryUp} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// statusWriter records the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times h under route. The route label is the
// pattern's name, never the raw path, so label cardinality stays fixed.
func (m *metrics) instrument(route string, now func() time.Time, h http.HandlerFunc) http.HandlerFunc {
	obs := m.latency.WithLabelValues(route)
	// The counter of 200s is looked up once; other codes per request.
	ok := m.requests.WithLabelValues(route, "200")
	return func(w http.ResponseWriter, r *http.Request) {
		start := now()
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		obs.Observe(now().Sub(start).Seconds())
		switch sw.code {
		case 0, http.StatusOK:
			ok.Inc()
		default:
			m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		}
	}
}
