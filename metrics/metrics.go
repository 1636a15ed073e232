// Package metrics serves the live state of an analysis at /metrics in the
// Prometheus text format (github.com/prometheus/client_golang). A custom
// Collector reads the analyzer's counters, the sources' counts and the HEP
// counts at scrape time: nothing is counted twice and the pipeline keeps
// no state for Prometheus.
package metrics

import (
	"errors"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/internal/safetext"
)

// Inputs is where the Collector reads from. Nil fields are left out.
type Inputs struct {
	Counters func() analysis.Counters    // the analyzer's (or a Job's) totals
	Sources  func() []capture.SourceStat // frames, bytes and drops per live source
	HEP      *capture.HEPStats
	Write    func() capture.WriteStats // the -w files' counts (live capture with -w)
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("mikeyscope_"+name, help, labels, nil)
}

var (
	dFrames   = desc("frames_total", "Frames read from a live source.", "source")
	dBytes    = desc("bytes_total", "Bytes of the frames read from a live source.", "source")
	dDrops    = desc("kernel_drops_total", "Frames the kernel (AF_PACKET) or a HEP listener's bounds dropped.", "source")
	dSessions = desc("sessions_total", "Sessions (SIP dialogs, RTSP sessions) seen.")
	dStatus   = desc("sessions", "Sessions in the report by key status.", "status")
	dMIKEY    = desc("mikey_messages_total", "MIKEY messages by the session's mode and the message's verdict.", "mode", "verdict")
	dPackets  = desc("media_packets_total", "SRTP and SRTCP packets by result.", "kind", "result")
	dFindings = desc("findings_total", "Findings (repeats included) by code and severity.", "code", "severity")
	dActiveS  = desc("sessions_in_progress", "Sessions with signalling in the last 30 s of capture time.")
	dActiveT  = desc("streams_in_progress", "Media streams with packets in the last 30 s of capture time.")
	dHEP      = desc("hep_packets_total", "HEP packets decoded, by capture agent id and node name.", "agent", "node")
	dHEPType  = desc("hep_packets_by_type_total", "HEP packets decoded, by protocol type (only sip is analysed).", "type")
	dHEPDrop  = desc("hep_rejected_total", "HEP packets not analysed, by reason.", "reason")
	dHEPInfl  = desc("hep_inflated_total", "HEP SIP payloads (chunk 0x0010) and whole packets (packet-gzip) that arrived compressed and were inflated, by format.", "format")
	dWrite    = desc("write_frames_total", "Frames of the live capture written to the -w files (result written), and not written after a write failure (result not_written).", "result")
)

// Collector is a prometheus.Collector over Inputs. Counters derived from
// the model can shrink (a session dropped past --max-sessions takes its
// messages along, a key added in the TUI moves a message from no-key to
// verified); the Collector exports each counter series as the largest
// value it has reported, so counters never go down.
type Collector struct {
	in   Inputs
	mu   sync.Mutex
	high map[string]*series
	gen  uint64
	// agents are the hep_packets_total labels given to each agent.
	agents map[capture.HEPAgentKey][2]string
}

// series is a counter series sent before.
type series struct {
	d      *prometheus.Desc
	labels []string
	v      float64
	gen    uint64 // the scrape that last sent it
}

// NewCollector returns a Collector over in.
func NewCollector(in Inputs) *Collector {
	return &Collector{in: in, high: map[string]*series{}}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dFrames, dBytes, dDrops, dSessions, dStatus, dMIKEY, dPackets, dFindings, dActiveS, dActiveT, dHEP, dHEPType, dHEPDrop, dHEPInfl, dWrite} {
		ch <- d
	}
}

// counter sends a counter series, never below what was sent before.
func (c *Collector) counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	k := d.String()
	for _, l := range labels {
		k += "\x00" + l
	}
	s := c.high[k]
	if s == nil {
		s = &series{d: d, labels: labels}
		c.high[k] = s
	}
	s.v = max(s.v, v)
	s.gen = c.gen
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, s.v, labels...)
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	defer func() {
		// A series the model no longer has (its messages moved to another
		// verdict, its session was dropped) keeps its last value.
		for _, s := range c.high {
			if s.gen != c.gen {
				ch <- prometheus.MustNewConstMetric(s.d, prometheus.CounterValue, s.v, s.labels...)
			}
		}
	}()
	if c.in.Sources != nil {
		for _, s := range c.in.Sources() {
			c.counter(ch, dFrames, float64(s.Frames), s.Name)
			c.counter(ch, dBytes, float64(s.Bytes), s.Name)
			c.counter(ch, dDrops, float64(s.Dropped), s.Name)
		}
	}
	if c.in.Write != nil {
		st := c.in.Write()
		c.counter(ch, dWrite, float64(st.Written), "written")
		c.counter(ch, dWrite, float64(st.NotWritten), "not_written")
	}
	if c.in.Counters != nil {
		n := c.in.Counters()
		c.counter(ch, dSessions, float64(n.SessionsSeen))
		for _, st := range []analysis.KeyStatus{analysis.KeyVerified, analysis.KeyFailed, analysis.KeyNoKey, analysis.KeyInClear, analysis.KeyNone, analysis.KeyNotChecked} {
			ch <- prometheus.MustNewConstMetric(dStatus, prometheus.GaugeValue, float64(n.Sessions[st]), st.String())
		}
		for _, k := range sortedKeys(n.MIKEY) {
			c.counter(ch, dMIKEY, float64(n.MIKEY[k]), k[0], k[1])
		}
		for _, kind := range []string{"srtp", "srtcp"} {
			for _, res := range []string{"authenticated", "auth_failed", "decrypted"} {
				c.counter(ch, dPackets, float64(n.Packets[[2]string{kind, res}]), kind, res)
			}
		}
		for _, k := range sortedKeys(n.Findings) {
			c.counter(ch, dFindings, float64(n.Findings[k]), k[0], k[1])
		}
		ch <- prometheus.MustNewConstMetric(dActiveS, prometheus.GaugeValue, float64(n.SessionsActive))
		ch <- prometheus.MustNewConstMetric(dActiveT, prometheus.GaugeValue, float64(n.StreamsActive))
	}
	if c.in.HEP != nil {
		h := c.in.HEP.Counts()
		for k, v := range c.agentSeries(h.Agents) {
			c.counter(ch, dHEP, v, k[0], k[1])
		}
		for t, v := range h.ByType {
			c.counter(ch, dHEPType, float64(v), t)
		}
		for f, v := range h.Inflated {
			c.counter(ch, dHEPInfl, float64(v), f)
		}
		for _, r := range []struct {
			name string
			v    uint64
		}{{"malformed", h.Malformed}, {"auth_failed", h.AuthFailed}, {"oversized", h.Oversized}, {"flood", h.Flood}, {"overrun", h.Overrun}, {"keepalive", h.KeepAlives}} {
			c.counter(ch, dHEPDrop, float64(r.v), r.name)
		}
	}
}

// maxAgentSeries bounds the hep_packets_total series: the agent ids and
// node names come from the wire, and every sender that writes to the
// collector port can make new ones. The first agents seen (in the order of
// the scrapes, then of id and node) keep their own series; the packets of
// the others are counted under agent="other", node="".
const maxAgentSeries = 64

// maxLabelBytes bounds a label value taken from the wire (a node name).
const maxLabelBytes = 64

// agentSeries maps the HEP agents to their series: labels made valid and
// visible (labelValue), agents past maxAgentSeries (and the HEPStats'
// own "other") summed under "other". An agent keeps the series it was
// given, so "other" only ever adds agents and never goes down.
func (c *Collector) agentSeries(agents map[capture.HEPAgentKey]uint64) map[[2]string]float64 {
	if c.agents == nil {
		c.agents = map[capture.HEPAgentKey][2]string{}
	}
	keys := make([]capture.HEPAgentKey, 0, len(agents))
	for k := range agents {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ID != keys[j].ID {
			return keys[i].ID < keys[j].ID
		}
		return keys[i].Node < keys[j].Node
	})
	other := [2]string{"other", ""}
	out := make(map[[2]string]float64, min(len(keys), maxAgentSeries+1))
	for _, k := range keys {
		l, ok := c.agents[k]
		if !ok {
			l = other
			if k.ID != "other" && len(c.agents) < maxAgentSeries {
				l = [2]string{labelValue(k.ID), labelValue(k.Node)}
			}
			c.agents[k] = l
		}
		out[l] += float64(agents[k])
	}
	return out
}

// labelValue makes wire text a label value: valid UTF-8 (Prometheus
// rejects anything else, and one bad value failed the whole scrape), with
// each byte that is not UTF-8 shown by its value (\xNN, where the report
// and the TUI show U+FFFD), control characters and bidirectional overrides
// in safetext's visible forms (label values end up in terminals and
// dashboards), at most maxLabelBytes bytes.
func labelValue(s string) string {
	clean := len(s) <= maxLabelBytes
	for i := 0; clean && i < len(s); i++ {
		clean = s[i] >= 0x20 && s[i] < 0x7f
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := safetext.Rune(r)
		if r == utf8.RuneError && size <= 1 {
			piece = safetext.Byte(s[i])
		}
		if b.Len()+len(piece) > maxLabelBytes-len("...") {
			b.WriteString("...")
			break
		}
		b.WriteString(piece)
		i += max(size, 1)
	}
	return b.String()
}

func sortedKeys[V any](m map[[2]string]V) [][2]string {
	keys := make([][2]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	return keys
}

// idleTimeout closes a kept-alive connection with no next request: without
// it (net/http falls back to ReadTimeout, unset) a client that made one
// request could hold its connection and goroutine for ever. Prometheus
// scrapes every 15-60 s and reconnects when it must.
var idleTimeout = 2 * time.Minute

// Server serves /metrics.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Serve listens on addr (host:port; port 0 picks one) and serves /metrics
// with c and the Go runtime and process collectors.
func Serve(addr string, c *Collector) (*Server, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idleTimeout}, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return
		}
	}()
	return s, nil
}

// Addr is the address served.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}
