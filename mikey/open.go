package mikey

import (
	"errors"
	"fmt"
	"iter"
	"time"
)

// OpenOptions carries context that the messages themselves may lack.
type OpenOptions struct {
	// CaptureTime and RespCaptureTime are the capture times of the two
	// messages, for clock offsets and the NTP/FILETIME decision.
	CaptureTime, RespCaptureTime time.Time
	// InitiatorID and ResponderID are the identities known from the
	// signalling (e.g. SIP From/To) when no ID payload carries them; they
	// enter the V and RSA-R signature inputs (RFC 3830 §5.2).
	InitiatorID, ResponderID []byte
	// RAND of the initial exchange, for update messages that carry none
	// (RFC 3830 §4.5).
	RAND []byte
	// PartyURIs are further identities the signalling names (SIP
	// P-Asserted-Identity, MC XML bodies): MIKEY-SAKKE tries them, then
	// InitiatorID and ResponderID, as the users of UIDs that no IDR
	// payload or key set names.
	PartyURIs []string
}

// OpenExchange opens an exchange of any mode with the supplied keys; it is
// the one entry point for every caller. It tries every applicable key on
// the initiator's message init and, when present, the responder's message
// resp (needed for DH, V, DHHMAC and RSA-R). Either may be nil. A key is
// reported only if it verified (MAC, V, signature, key wrap, or a DH
// public value that matches the private value), or if the mode has no
// integrity, in which case the status says so. A MIKEY-SAKKE I_MESSAGE
// (RFC 6509) is opened with keys.SAKKE by OpenSAKKE; its full result is in
// ExchangeResult.SAKKE. It never returns nil.
func OpenExchange(init, resp *Message, keys *Keys, opts OpenOptions) *ExchangeResult {
	if keys == nil {
		keys = &Keys{}
	}
	init, resp = orderRoles(init, resp)
	first := init
	if first == nil {
		first = resp
	}
	res := &ExchangeResult{Mode: ModeUnknown}
	if first == nil {
		res.note("no message")
		return res
	}
	res.Mode = ModeOf(first.Header.DataType)
	x := &exchange{init: init, resp: resp, keys: keys, opts: opts, res: res}
	if init != nil {
		res.Init = &MessageResult{DataType: init.Header.DataType, Mode: ModeOf(init.Header.DataType)}
	}
	if resp != nil {
		res.Resp = &MessageResult{DataType: resp.Header.DataType, Mode: ModeOf(resp.Header.DataType)}
	}
	if init != nil {
		res.Init.decodeTimestamp(init, opts.CaptureTime)
	}
	if resp != nil {
		res.Resp.decodeTimestamp(resp, opts.RespCaptureTime)
	}
	switch res.Mode {
	case ModePSK:
		x.openPSK()
	case ModePK:
		x.openPK()
	case ModeDH, ModeDHHMAC:
		x.openDH()
	case ModeRSAR:
		x.openRSAR()
	case ModeError:
		res.note("error message: carries no keys")
	case ModeSAKKE:
		x.openSAKKE(first)
		return res // supplied TGKs are not applied: the SSV is the TGK
	default:
		res.note(fmt.Sprintf("data type %v: key recovery not supported", first.Header.DataType))
	}
	x.applySuppliedTGKs()
	return res
}

// openSAKKE opens a MIKEY-SAKKE I_MESSAGE (RFC 6509) and presents its
// result as the message's (SAKKEResult.fill).
func (x *exchange) openSAKKE(m *Message) {
	sr, err := OpenSAKKE(m, x.keys.SAKKE, x.opts)
	if err != nil {
		x.res.note(err.Error())
		return
	}
	x.res.SAKKE = sr
	mr := x.res.Init
	if mr == nil {
		mr = x.res.Resp
	}
	sr.fill(mr)
	x.res.Sessions = sr.Sessions
	if len(sr.SSV) > 0 {
		x.res.TGKs = []Secret{sr.SSV}
	}
}

// exchange is the working state of one OpenExchange call.
type exchange struct {
	init, resp *Message
	keys       *Keys
	opts       OpenOptions
	res        *ExchangeResult
	// envKey is the PSK or envelope key that opened the initiator's
	// message, reused for the responder's V.
	envKey []byte
}

// rand returns the RAND that keys derive from: the initiator's, else the
// responder's (RSA-R, RFC 4738 §3.5), else the one from the options.
func (x *exchange) rand() []byte {
	for _, m := range []*Message{x.init, x.resp} {
		if m != nil {
			if r := m.RAND(); r != nil {
				return r.Rand
			}
		}
	}
	return x.opts.RAND
}

// ts returns the 64-bit timestamp of m, or of the other message (the
// responder repeats the initiator's, RFC 3830 §5.2).
func (x *exchange) ts(m *Message) (uint64, *TPayload, error) {
	for _, c := range []*Message{m, x.init, x.resp} {
		if c == nil {
			continue
		}
		if t := c.Timestamp(); t != nil {
			v, err := Timestamp64(t)
			return v, t, err
		}
	}
	return 0, nil, errors.New("no T payload")
}

// csbID returns the CSB ID keys derive from: that of the header, unless an
// RSA-R responder replaced it with a CSB_ID general extension (RFC 4738
// §3.6).
func (x *exchange) csbID(m *Message) uint32 {
	if x.resp != nil && x.resp.Header.DataType == DataTypeRSARResp {
		for _, g := range x.resp.GenExts() {
			if g.ExtType == GenExtCSBID && len(g.Data) == 4 {
				return be32(g.Data)
			}
		}
	}
	return m.Header.CSBID
}

// identities returns all identities that could select a bound PSK (none
// when no PSK is supplied: nothing would look them up). A map: with
// thousands of bound PSKs each is looked up three times per message.
func (x *exchange) identities() map[string]bool {
	if x.keys == nil || len(x.keys.PSKs) == 0 {
		return nil
	}
	ids := map[string]bool{}
	if len(x.opts.InitiatorID) > 0 {
		ids[string(x.opts.InitiatorID)] = true
	}
	if len(x.opts.ResponderID) > 0 {
		ids[string(x.opts.ResponderID)] = true
	}
	for _, m := range []*Message{x.init, x.resp} {
		if m == nil {
			continue
		}
		for _, p := range m.IDs() {
			ids[string(p.Data)] = true
		}
		for _, p := range m.IDRs() {
			ids[string(p.Data)] = true
		}
	}
	return ids
}

// noteMeant records that psk, tried on mr, is bound to an identity the
// exchange names (ids): evidence that it was meant for this message.
func noteMeant(mr *MessageResult, psk PSK, ids map[string]bool) {
	if mr.Meant == "" && psk.Identity != "" && ids[psk.Identity] {
		mr.Meant = fmt.Sprintf("%s is bound to %q, an identity of this exchange", psk.Fingerprint(), psk.Identity)
	}
}

// orderedPSKs yields the PSKs to try: those bound to an identity present in
// the exchange, then unbound ones, then the remaining bound ones (the MAC
// decides; a note says when a key bound elsewhere verified). It walks the
// key list in three passes instead of copying it, so a keys file with
// thousands of PSKs costs nothing per message until keys are tried.
func (x *exchange) orderedPSKs() iter.Seq[PSK] {
	return func(yield func(PSK) bool) {
		ids := x.identities()
		for pass := 0; pass < 3; pass++ {
			for _, k := range x.keys.PSKs {
				var in bool
				switch pass {
				case 0:
					in = k.Identity != "" && ids[k.Identity]
				case 1:
					in = k.Identity == ""
				default:
					in = k.Identity != "" && !ids[k.Identity]
				}
				if in && !yield(k) {
					return
				}
			}
		}
	}
}

// addKeys records decrypted key data and derives the crypto session keys.
func (x *exchange) addKeys(mr *MessageResult, m *Message, kds []*KeyData, from string) {
	mr.keyData = kds
	mr.Keys = recoveredKeys(kds)
	for _, k := range mr.Keys {
		if k.Type == KeyTGK || k.Type == KeyTGKSalt || k.Type == KeyGTGK || k.Type == KeyGTGKSalt {
			x.res.TGKs = append(x.res.TGKs, k.Key)
		}
	}
	x.deriveSessions(m, mr.Keys, from)
}

func (x *exchange) deriveSessions(m *Message, keys []RecoveredKey, from string) {
	var fill *Header
	if x.resp != nil && m != x.resp {
		fill = &x.resp.Header
	}
	hdr := m.Header
	hdr.CSBID = x.csbID(m)
	sps := m.SP()
	if len(sps) == 0 && x.init != nil && m != x.init {
		sps = x.init.SP()
	}
	ss, err := DeriveSessions(&hdr, fill, sps, x.rand(), keys, from)
	x.res.Sessions = append(x.res.Sessions, ss...)
	if err != nil {
		x.res.note("deriving crypto session keys: " + err.Error())
	}
}

// applySuppliedTGKs derives session keys from TGKs the user supplied when
// the exchange itself yielded none.
func (x *exchange) applySuppliedTGKs() {
	if len(x.res.Sessions) > 0 || len(x.keys.TGKs) == 0 {
		return
	}
	m := x.init
	if m == nil {
		m = x.resp
	}
	if m == nil {
		return
	}
	for _, t := range x.keys.TGKs {
		rk := RecoveredKey{Index: 0, Type: KeyTGK, Key: t.Key}
		x.res.TGKs = append(x.res.TGKs, t.Key)
		x.deriveSessions(m, []RecoveredKey{rk}, "supplied TGK "+t.Fingerprint()+" ("+t.Source+"), not verified against the exchange")
	}
}

// decodeTimestamp records the message's T payload as time and its offset
// from the capture time, and notes the Omnicast FILETIME quirk.
func (mr *MessageResult) decodeTimestamp(m *Message, capture time.Time) {
	ts, ok, err := m.ReadTimestamp(capture)
	switch {
	case !ok:
		return
	case err != nil:
		mr.note("timestamp: " + err.Error())
		return
	}
	mr.Timestamp = &ts
	mr.ClockOffset, mr.HasOffset = ts.Offset(capture)
	if ts.FILETIME {
		mr.note(fmt.Sprintf("the NTP-UTC timestamp 0x%016x is a Windows FILETIME (Genetec Omnicast): %s", ts.Value64, ts.Time.Format(time.RFC3339)))
	}
}

// orderRoles puts a responder's message passed as init where it belongs:
// one that answers an initiator's data type (DataType.Answers).
func orderRoles(init, resp *Message) (*Message, *Message) {
	isResponse := func(d DataType) bool { _, ok := d.Answers(); return ok }
	switch {
	case init != nil && resp == nil && isResponse(init.Header.DataType):
		return nil, init
	case init != nil && resp != nil && isResponse(init.Header.DataType) && !isResponse(resp.Header.DataType):
		return resp, init
	}
	return init, resp
}
