package analysis

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// HEP in the model: signalling that arrived inside HEP packets (see
// capture/hep.go) is analysed as if it had been captured where the agent
// saw it. The report names the agent of each such message (Signal.Via),
// counts the HEP traffic (Summary.HEP), and a message seen both by HEP and
// on the wire (or by two agents) is one message with every place it was
// seen (Signal.AlsoSeen).

// HEPSummary counts the HEP packets of the pass.
type HEPSummary struct {
	Packets    uint64            `json:"packets"`
	SIP        uint64            `json:"sip"`
	ByType     map[string]uint64 `json:"by_type,omitempty"` // protocol type name -> packets (sip, rtcp-json, log...)
	KeepAlives uint64            `json:"keepalives,omitempty"`
	Malformed  uint64            `json:"malformed,omitempty"`
	AuthFailed uint64            `json:"auth_failed,omitempty"`
	Oversized  uint64            `json:"oversized,omitempty"`
	Flood      uint64            `json:"flood_dropped,omitempty"`
	Overrun    uint64            `json:"overrun_dropped,omitempty"`
	Duplicates int               `json:"duplicates,omitempty"` // messages also seen elsewhere (folded into one)
	Inflated   map[string]uint64 `json:"inflated,omitempty"`   // compression format -> SIP payloads or packets inflated (zlib, gzip, deflate, packet-gzip)
	Agents     []HEPAgent        `json:"agents,omitempty"`
}

// HEPAgent is one capture agent and the packets it sent.
type HEPAgent struct {
	ID      string `json:"id,omitempty"` // capture agent id, decimal; "other" past the limit
	Node    string `json:"node,omitempty"`
	Packets uint64 `json:"packets"`
}

// SignalCopy is another place a signalling message was seen.
type SignalCopy struct {
	Frame uint64    `json:"frame"`
	Time  time.Time `json:"time"`
	Via   string    `json:"via"` // "capture", or the HEP agent ("hep agent 2002")
}

// hepState is the analyzer's HEP working state: the recent messages, by
// fingerprint, among which duplicates are found.
type hepState struct {
	recent     map[dupKey]dupEntry
	order      []dupKey // insertion order, for expiry
	duplicates int
}

// dupWindow is how far apart in time two copies of one message may be.
const dupWindow = 2 * time.Second

// maxDupRecent bounds the messages remembered for the duplicate check.
const maxDupRecent = 8192

type dupKey struct {
	h        uint64 // Call-ID, CSeq, first line, body
	src, dst netip.AddrPort
}

// dupEntry is a remembered message: its signal and the places it was seen
// (the first maxDupPlaces; copies from further places are counted in
// Summary.HEP.Duplicates but not listed in AlsoSeen).
type dupEntry struct {
	sess   *Session
	sig    *Signal
	t      time.Time
	places [maxDupPlaces]string
}

const maxDupPlaces = 4

// HEPStats returns the counters of the HEP decoder (and of the listeners
// given the same HEPStats).
func (a *Analyzer) HEPStats() *capture.HEPStats { return a.opts.HEP.Stats }

// hepVia names where m was seen: "" for the capture itself, else the HEP
// agent.
func hepVia(m *dissect.SignalMessage) string {
	if m.HEP == nil {
		return ""
	}
	return "hep " + m.HEP.Name()
}

// fingerprint hashes what makes two copies the same message: the Call-ID
// (or RTSP session), CSeq, first line and body.
func fingerprint(m *dissect.SignalMessage) uint64 {
	var h maphash.Hash
	h.SetSeed(signalSeed)
	raw := m.Raw
	line := raw
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line = raw[:i]
	}
	body := []byte(nil)
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i+2:]
	}
	h.WriteString(m.SessionKey)
	var n [5]byte
	binary.BigEndian.PutUint32(n[:], m.CSeq)
	h.Write(n[:])
	h.WriteString(m.CSeqMethod)
	h.WriteByte(0)
	h.Write(bytes.TrimRight(line, "\r"))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum64()
}

// hepDuplicate reports whether m is a copy of a message already in the
// model seen at another place (by HEP and on the capture, or by two HEP
// agents) within dupWindow; the copy is then recorded on the first one
// (AlsoSeen) and not analysed again. Copies from the same place are
// retransmissions and stay separate messages; copies on different legs
// (another source or destination: a proxy's two sides) too. The messages
// of the last dupWindow are remembered (at most maxDupRecent), whether
// they came by HEP or not: the HEP copy may come second. When m is not a
// copy, the caller records its signal with hepRemember(k, place, ...).
// Caller holds a.mu.
func (a *Analyzer) hepDuplicate(m *dissect.SignalMessage) (dup bool, k dupKey, place string) {
	hs := &a.hep
	if hs.recent == nil {
		hs.recent = make(map[dupKey]dupEntry)
	}
	// Expire by capture time and by count (one slot of order per key).
	for len(hs.order) > 0 {
		k := hs.order[0]
		e, ok := hs.recent[k]
		if len(hs.order) <= maxDupRecent && ok && m.Time.Sub(e.t) <= dupWindow {
			break
		}
		delete(hs.recent, k)
		hs.order = hs.order[1:]
	}
	k = dupKey{h: fingerprint(m), src: m.Src, dst: m.Dst}
	place = hepVia(m)
	if place == "" {
		place = "capture"
	}
	e, ok := hs.recent[k]
	if !ok {
		return false, k, place
	}
	if d := m.Time.Sub(e.t); d > dupWindow || d < -dupWindow {
		return false, k, place
	}
	free := -1
	for i, p := range e.places {
		if p == place {
			return false, k, place // a retransmission seen at the same place
		}
		if p == "" && free < 0 {
			free = i
		}
	}
	hs.duplicates++
	a.claimPending(m, e.sess.ID) // the copy's problems belong to the session too
	if free < 0 {
		// The places are full: a copy from yet another place is folded
		// and counted, not listed (a sender making up agent ids would
		// otherwise grow the signal without end, copying it each time).
		return true, k, place
	}
	e.places[free] = place
	// Signals are shared with snapshots: replace, never change.
	ns := *e.sig
	ns.AlsoSeen = append(slices.Clip(e.sig.AlsoSeen), SignalCopy{Frame: m.Frame, Time: m.Time, Via: place})
	for i := len(e.sess.Signals) - 1; i >= 0; i-- {
		if e.sess.Signals[i] == e.sig {
			e.sess.Signals[i] = &ns
			break
		}
	}
	e.sig = &ns
	hs.recent[k] = e
	return true, k, place
}

// hepRemember records the signal of a message that was not a copy. Caller
// holds a.mu.
func (a *Analyzer) hepRemember(k dupKey, place string, s *Session, sig *Signal) {
	hs := &a.hep
	if _, ok := hs.recent[k]; !ok {
		hs.order = append(hs.order, k)
	}
	hs.recent[k] = dupEntry{sess: s, sig: sig, t: sig.Time, places: [maxDupPlaces]string{place}}
}

// hepSummary is the HEP part of the report's summary; nil when the pass
// saw no HEP.
func (a *Analyzer) hepSummary() *HEPSummary {
	c := a.opts.HEP.Stats.Counts()
	if c.Packets == 0 && c.Malformed == 0 && c.AuthFailed == 0 && c.Oversized == 0 && c.Flood == 0 && c.Overrun == 0 && c.KeepAlives == 0 {
		return nil
	}
	s := &HEPSummary{Packets: c.Packets, SIP: c.SIP, KeepAlives: c.KeepAlives, Malformed: c.Malformed,
		AuthFailed: c.AuthFailed, Oversized: c.Oversized, Flood: c.Flood, Overrun: c.Overrun,
		Duplicates: a.hep.duplicates}
	if len(c.ByType) > 0 {
		s.ByType = c.ByType
	}
	if len(c.Inflated) > 0 {
		s.Inflated = c.Inflated
	}
	for k, n := range c.Agents {
		s.Agents = append(s.Agents, HEPAgent{ID: k.ID, Node: k.Node, Packets: n})
	}
	sort.Slice(s.Agents, func(i, j int) bool {
		if s.Agents[i].ID != s.Agents[j].ID {
			return s.Agents[i].ID < s.Agents[j].ID
		}
		return s.Agents[i].Node < s.Agents[j].Node
	})
	return s
}

// finishHEP reports what the HEP listeners had to drop. Caller holds a.mu.
func (a *Analyzer) finishHEP() {
	c := a.opts.HEP.Stats.Counts()
	if c.Oversized > 0 {
		a.add(KindCaptureLimit.New(0, 0, fmt.Sprintf("HEP: %d datagrams or TCP frames over the size limit dropped", c.Oversized)))
	}
	if c.Flood > 0 {
		a.add(KindCaptureLimit.New(0, 0, fmt.Sprintf("HEP: %d packets dropped because a sender exceeded its rate limit", c.Flood)))
	}
	if c.Overrun > 0 {
		a.add(KindCaptureLimit.New(0, 0, fmt.Sprintf("HEP: %d packets dropped because the analysis fell behind the listener", c.Overrun)))
	}
}
