package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// verification is what the supplied keys made of a decoded message: the
// verdict, the key that verified it (by fingerprint), the decrypted Key
// data and the SRTP keys of every crypto session (RFC 3830 §4.1.3).
type verification struct {
	Auth      string               `json:"auth"`
	Key       string               `json:"key,omitempty"`
	Signature string               `json:"signature,omitempty"`
	Notes     []string             `json:"notes,omitempty"`
	KeyData   *mikey.Field         `json:"key_data,omitempty"`
	MC        *mikey.MCReport      `json:"mc,omitempty"`
	Sessions  []verifiedCryptoSess `json:"crypto_sessions"`
}

type verifiedCryptoSess struct {
	CSID       uint8  `json:"cs_id"`
	SSRC       string `json:"ssrc"`
	ROC        uint32 `json:"roc"`
	PolicyNo   uint8  `json:"policy_no"`
	MasterKey  string `json:"master_key"`  // fingerprint, or hex with --show-keys
	MasterSalt string `json:"master_salt"` // fingerprint, or hex with --show-keys
	MKI        string `json:"mki,omitempty"`
	Derived    bool   `json:"derived_from_tgk"`
}

// verify opens m with the supplied keys on the path reports take
// (mikey.OpenExchange, any mode) and says what it found as reports do
// (MessageResult.Details, SAKKEResult.Details). It returns nil when there
// is nothing to say: no keys supplied and none in the clear.
func verify(m *mikey.Message, st *keys.Store, showKeys bool) *verification {
	if m == nil || len(m.Payloads) == 0 {
		return nil
	}
	k := m.KEMAC()
	inClear := k != nil && k.EncrAlg == mikey.EncrNULL
	if st.Len() == 0 && !inClear {
		return nil
	}
	v := &verification{}
	var kds []*mikey.KeyData
	res := mikey.OpenExchange(m, nil, st.MIKEY(), mikey.OpenOptions{})
	if sr := res.SAKKE; sr != nil {
		v.Auth = "SAKKE " + sr.Decap.String()
		v.Key = sr.RSKRef
		v.Signature = sr.Signature.Status.String()
		v.Notes = sr.Details()
		v.MC = sr.MCReport(showKeys)
	} else {
		mr := res.Init
		if mr == nil {
			mr = res.Resp
		}
		if mr != nil {
			v.Auth = mr.Auth.String()
			if mr.Auth != mikey.AuthInClear {
				v.Key = mr.KeyRef
			}
			if mr.Signature.Status != mikey.AuthNotApplicable {
				v.Signature = mr.Signature.Status.String()
			}
			v.Notes = mr.Details()
			kds = mr.KeyData()
		}
	}
	v.Notes = append(v.Notes, res.Notes...)
	if len(kds) > 0 && !inClear {
		v.KeyData = mikey.KeyDataTree(kds, mikey.TreeOptions{ShowSecrets: showKeys})
	}
	for _, s := range res.Sessions {
		cs := verifiedCryptoSess{CSID: s.CSID, SSRC: fmt.Sprintf("0x%08x", s.SSRC), ROC: s.ROC, PolicyNo: s.PolicyNo, Derived: s.Derived,
			MasterKey: "key:" + s.MasterKey.Fingerprint(), MasterSalt: "salt:" + s.MasterSalt.Fingerprint()}
		if showKeys {
			cs.MasterKey, cs.MasterSalt = hex.EncodeToString(s.MasterKey.Reveal()), hex.EncodeToString(s.MasterSalt.Reveal())
		}
		if len(s.MKI) > 0 {
			cs.MKI = "0x" + hex.EncodeToString(s.MKI)
		}
		v.Sessions = append(v.Sessions, cs)
	}
	if v.Sessions == nil {
		v.Sessions = []verifiedCryptoSess{}
	}
	return v
}

// writeVerification prints the verification section of the text output.
func writeVerification(w io.Writer, v *verification) error {
	var b strings.Builder
	b.WriteString("Verification\n")
	fmt.Fprintf(&b, "    Auth: %s", v.Auth)
	if v.Key != "" {
		fmt.Fprintf(&b, " with %s", v.Key)
	}
	b.WriteString("\n")
	if v.Signature != "" {
		fmt.Fprintf(&b, "    Signature: %s\n", v.Signature)
	}
	for _, n := range v.Notes {
		fmt.Fprintf(&b, "    Note: %s\n", n)
	}
	if v.MC != nil {
		fmt.Fprintf(&b, "    MC key: %s\n", v.MC)
		for _, p := range v.MC.Problems {
			fmt.Fprintf(&b, "    MC problem: %s\n", p)
		}
		if v.MC.KeyParams != "" {
			fmt.Fprintf(&b, "    MC key parameters: %s\n", v.MC.KeyParams)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if v.KeyData != nil {
		if _, err := io.WriteString(w, "Decrypted key data\n"); err != nil {
			return err
		}
		if err := mikey.WriteTree(w, v.KeyData); err != nil {
			return err
		}
	}
	b.Reset()
	if len(v.Sessions) > 0 {
		b.WriteString("Crypto sessions (SRTP master keys)\n")
	}
	for _, s := range v.Sessions {
		fmt.Fprintf(&b, "    CS %d: SSRC %s, ROC %d, policy %d, master key %s, master salt %s", s.CSID, s.SSRC, s.ROC, s.PolicyNo, s.MasterKey, s.MasterSalt)
		if s.MKI != "" {
			fmt.Fprintf(&b, ", MKI %s", s.MKI)
		}
		if s.Derived {
			b.WriteString(" (derived from the TGK)")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
