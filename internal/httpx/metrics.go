package httpx

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the Prometheus registry of one server: requests by route and
// status, a latency histogram, the database pools and the Go runtime.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// PoolStats reports database connection pool statistics.
type PoolStats func() (write, read sql.DBStats)

// DBCount reports a count the store keeps, in writes and in reads: the
// statements it has run, or the round trips to the database it has made.
type DBCount func() (write, read uint64)

// NewMetrics creates the registry; pools, statements and roundTrips may be
// nil.
func NewMetrics(pools PoolStats, statements, roundTrips DBCount) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "holdfast_http_requests_total", Help: "HTTP requests by method, route and status.",
	}, []string{"method", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "holdfast_http_request_duration_seconds", Help: "Server time per HTTP request by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
	m.reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pools != nil {
		m.reg.MustRegister(poolCollector{pools})
	}
	if statements != nil {
		m.reg.MustRegister(statementCollector{stmtsRun, statements})
	}
	if roundTrips != nil {
		m.reg.MustRegister(statementCollector{tripsMade, roundTrips})
	}
	return m
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

var (
	poolOpen  = prometheus.NewDesc("holdfast_db_connections_open", "Open database connections by pool.", []string{"pool"}, nil)
	poolInUse = prometheus.NewDesc("holdfast_db_connections_in_use", "Database connections in use by pool.", []string{"pool"}, nil)
	poolWait  = prometheus.NewDesc("holdfast_db_wait_total", "Times a request waited for a database connection, by pool.", []string{"pool"}, nil)
	poolWaitS = prometheus.NewDesc("holdfast_db_wait_seconds_total", "Time spent waiting for database connections, by pool.", []string{"pool"}, nil)
	stmtsRun  = prometheus.NewDesc("holdfast_db_statements_total", "Statements run by the store, by pool.", []string{"pool"}, nil)
	tripsMade = prometheus.NewDesc("holdfast_db_round_trips_total", "Round trips to the database (statements sent together count once), by pool.", []string{"pool"}, nil)
)

type poolCollector struct{ stats PoolStats }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolOpen
	ch <- poolInUse
	ch <- poolWait
	ch <- poolWaitS
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	w, r := c.stats()
	for name, s := range map[string]sql.DBStats{"write": w, "read": r} {
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(poolWaitS, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
}

type statementCollector struct {
	desc  *prometheus.Desc
	count DBCount
}

func (c statementCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c statementCollector) Collect(ch chan<- prometheus.Metric) {
	w, r := c.count()
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(w), "write")
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(r), "read")
}
