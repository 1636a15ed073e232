package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/metrics"
)

// hepFlags are the HEP and Prometheus options of report and the UI.
type hepFlags struct {
	ports   []uint16
	listen  []capture.HEPListenAddr
	auth    string
	metrics string
	stats   *capture.HEPStats
}

type hepPortFlag struct{ h *hepFlags }

func (f hepPortFlag) String() string { return "" }
func (f hepPortFlag) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return fmt.Errorf("want a port number 1-65535, got %q", s)
	}
	f.h.ports = append(f.h.ports, uint16(n))
	return nil
}

type hepListenFlag struct{ h *hepFlags }

func (f hepListenFlag) String() string { return "" }
func (f hepListenFlag) Set(s string) error {
	a, err := capture.ParseHEPListen(s)
	if err != nil {
		return err
	}
	f.h.listen = append(f.h.listen, a)
	return nil
}

type hepAuthFlag struct{ h *hepFlags }

func (f hepAuthFlag) String() string { return "" }
func (f hepAuthFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty auth key")
	}
	f.h.auth = s
	return nil
}

type metricsFlag struct{ h *hepFlags }

func (f metricsFlag) String() string { return "" }
func (f metricsFlag) Set(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want HOST:PORT (e.g. :9464 or 127.0.0.1:9464): %v", err)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("bad port %q", port)
	}
	f.h.metrics = s
	return nil
}

func (h *hepFlags) register(fs *flag.FlagSet) {
	fs.Var(hepPortFlag{h}, "hep-port", "also decode HEP on this UDP/TCP port of capture files (9060 always; repeatable)")
	fs.Var(hepListenFlag{h}, "hep-listen", "receive HEP from capture agents: udp:ADDR:PORT or tcp:ADDR:PORT, e.g. udp:0.0.0.0:9060, udp:[::]:9060 (repeatable; alone or with -i)")
	fs.Var(hepAuthFlag{h}, "hep-auth", "accept only HEP packets whose auth key chunk is this key")
	fs.Var(metricsFlag{h}, "metrics", "serve Prometheus metrics at http://ADDR/metrics while analysing a live source (e.g. :9464)")
}

// live reports whether the input is live: an interface, HEP listeners or
// both.
func (o *reportOptions) live() bool { return o.iface != "" || len(o.hep.listen) > 0 }

// liveTitle names the live input: "live:eth0", "hep:udp:0.0.0.0:9060"...
func (o *reportOptions) liveTitle() string {
	var parts []string
	if o.iface != "" {
		parts = append(parts, "live:"+o.iface)
	}
	for _, a := range o.hep.listen {
		parts = append(parts, "hep:"+a.String())
	}
	return strings.Join(parts, ", ")
}

// hepOptions is the HEP decoding of the pass (the ports of the listeners
// are added by openLiveInputs).
func (o *reportOptions) hepOptions() capture.HEPOptions {
	if o.hep.stats == nil {
		o.hep.stats = new(capture.HEPStats)
	}
	ho := capture.HEPOptions{Ports: o.hep.ports, Stats: o.hep.stats}
	if o.hep.auth != "" {
		ho.AuthKey = []byte(o.hep.auth)
	}
	return ho
}

// checkMetrics: --metrics needs a live source.
func (o *reportOptions) checkMetrics() error {
	if o.hep.metrics != "" && !o.live() {
		return errors.New("--metrics needs a live source (-i IFACE or --hep-listen)")
	}
	return nil
}

// openIface opens the live interface (-i, -f, -B, -w, -b: openLive).
func (o *reportOptions) openIface() (capture.Source, error) {
	return o.openLive()
}

// openLiveInputs opens the interface and the HEP listeners as one source.
// The listeners' ports are added to the HEP ports of the pass.
func (o *reportOptions) openLiveInputs() (capture.Source, error) {
	var srcs []capture.NamedSource
	closeAll := func() {
		for _, s := range srcs {
			s.Src.Close()
		}
	}
	if o.iface != "" {
		s, err := o.openIface()
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, capture.NamedSource{Name: "live:" + o.iface, Src: s})
	}
	if len(o.hep.listen) > 0 {
		o.hepOptions()
		l, err := capture.ListenHEP(o.hep.listen, capture.HEPListenOptions{Stats: o.hep.stats})
		if err != nil {
			closeAll()
			return nil, err
		}
		for _, p := range l.Ports() {
			o.hep.ports = append(o.hep.ports, p)
		}
		var names []string
		for _, a := range l.Addrs() {
			names = append(names, a.String())
		}
		srcs = append(srcs, capture.NamedSource{Name: "hep:" + strings.Join(names, ","), Src: l})
	}
	merged := capture.MergeLive(srcs...)
	if o.write == "" {
		return merged, nil
	}
	w, err := o.teeWrite(merged, srcs[0].Src, 0) // the interface is input 0
	if err != nil {
		merged.Close()
		return nil, err
	}
	return w, nil
}

// serveMetrics starts /metrics when --metrics was given; stop is never nil.
func (o *reportOptions) serveMetrics(src capture.Source, counters func() analysis.Counters) (stop func(), err error) {
	if o.hep.metrics == "" {
		return func() {}, nil
	}
	in := metrics.Inputs{Counters: counters, HEP: o.hep.stats}
	if ss, ok := src.(capture.SourceStatter); ok {
		in.Sources = ss.SourceStats
	}
	if wr, ok := src.(capture.WriteReporter); ok {
		in.Write = wr.WriteStats
	}
	s, err := metrics.Serve(o.hep.metrics, metrics.NewCollector(in))
	if err != nil {
		return nil, fmt.Errorf("--metrics %s: %w", o.hep.metrics, err)
	}
	return func() { s.Close() }, nil
}
