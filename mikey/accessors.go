package mikey

// Payload returns the first payload of type t, or nil.
func (m *Message) Payload(t PayloadType) Payload {
	for _, p := range m.Payloads {
		if p.Type() == t {
			return p
		}
	}
	return nil
}

// KEMAC returns the first KEMAC payload, or nil.
func (m *Message) KEMAC() *KEMACPayload { return first[*KEMACPayload](m) }

// RAND returns the first RAND payload, or nil.
func (m *Message) RAND() *RANDPayload { return first[*RANDPayload](m) }

// Timestamp returns the first T payload, or nil.
func (m *Message) Timestamp() *TPayload { return first[*TPayload](m) }

// PKE returns the first PKE payload, or nil.
func (m *Message) PKE() *PKEPayload { return first[*PKEPayload](m) }

// DH returns the first DH payload, or nil.
func (m *Message) DH() *DHPayload { return first[*DHPayload](m) }

// SIGN returns the SIGN payload, or nil.
func (m *Message) SIGN() *SIGNPayload { return first[*SIGNPayload](m) }

// V returns the V payload, or nil.
func (m *Message) V() *VPayload { return first[*VPayload](m) }

// ERR returns the ERR payloads in order.
func (m *Message) ERR() []*ERRPayload { return all[*ERRPayload](m) }

// SP returns all SP payloads in order.
func (m *Message) SP() []*SPPayload { return all[*SPPayload](m) }

// IDs returns all ID payloads in order.
func (m *Message) IDs() []*IDPayload { return all[*IDPayload](m) }

// CERTs returns all CERT payloads in order.
func (m *Message) CERTs() []*CERTPayload { return all[*CERTPayload](m) }

// IDRs returns all IDR payloads in order.
func (m *Message) IDRs() []*IDRPayload { return all[*IDRPayload](m) }

// IDR returns the first IDR payload with the role, or nil.
func (m *Message) IDR(role IDRole) *IDRPayload {
	for _, p := range m.Payloads {
		if q, ok := p.(*IDRPayload); ok && q.Role == role {
			return q
		}
	}
	return nil
}

// RANDRs returns all RANDR payloads in order.
func (m *Message) RANDRs() []*RANDRPayload { return all[*RANDRPayload](m) }

// TRs returns all TR payloads in order.
func (m *Message) TRs() []*TRPayload { return all[*TRPayload](m) }

// GenExts returns all general extension payloads in order.
func (m *Message) GenExts() []*GenExtPayload { return all[*GenExtPayload](m) }

// SAKKE returns the SAKKE payload, or nil.
func (m *Message) SAKKE() *SAKKEPayload { return first[*SAKKEPayload](m) }

// TP returns the TP payload, or nil.
func (m *Message) TP() *TPPayload { return first[*TPPayload](m) }

// TICKET returns the TICKET payload, or nil.
func (m *Message) TICKET() *TICKETPayload { return first[*TICKETPayload](m) }

// PolicyFor returns the SP payload with the policy number, or nil.
func (m *Message) PolicyFor(policyNo uint8) *SPPayload {
	for _, p := range m.Payloads {
		if q, ok := p.(*SPPayload); ok && q.PolicyNo == policyNo {
			return q
		}
	}
	return nil
}

// Param returns the first parameter of the type.
func (sp *SPPayload) Param(t SPParamType) (SPParam, bool) {
	for _, p := range sp.Params {
		if p.Type == t {
			return p, true
		}
	}
	return SPParam{}, false
}

// Uint returns the parameter value as a big-endian unsigned integer; ok is
// false when it is empty or longer than 8 bytes.
func (p SPParam) Uint() (v uint64, ok bool) {
	if len(p.Value) == 0 || len(p.Value) > 8 {
		return 0, false
	}
	for _, c := range p.Value {
		v = v<<8 | uint64(c)
	}
	return v, true
}

// AuthField returns the span of the field that authenticates the whole
// message: the MAC of a KEMAC (PSK, DHHMAC), the Ver data of a V payload,
// or the signature of a SIGN payload, whichever comes last. RFC 3830 §5.2:
// the MAC or signature covers Raw[:span.Offset] (for V, preceded by nothing
// else here; the identities and timestamp appended for V are the caller's
// concern). ok is false when the message has no such field.
func (m *Message) AuthField() (span Span, kind PayloadType, ok bool) {
	for _, p := range m.Payloads {
		switch q := p.(type) {
		case *KEMACPayload:
			if q.MACAlg != MACNULL {
				span, kind, ok = Span{q.MACOffset, len(q.MAC)}, PayloadKEMAC, true
			}
		case *VPayload:
			span, kind, ok = Span{q.VerDataOffset, len(q.VerData)}, PayloadV, true
		case *SIGNPayload:
			span, kind, ok = Span{q.SignatureOffset, len(q.Signature)}, PayloadSIGN, true
		}
	}
	return span, kind, ok
}

func first[T Payload](m *Message) T {
	var zero T
	for _, p := range m.Payloads {
		if q, ok := p.(T); ok {
			return q
		}
	}
	return zero
}

func all[T Payload](m *Message) []T {
	var out []T
	for _, p := range m.Payloads {
		if q, ok := p.(T); ok {
			out = append(out, q)
		}
	}
	return out
}
