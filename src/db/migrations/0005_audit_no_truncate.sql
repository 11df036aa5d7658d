-- TRUNCATE bypasses row triggers, so the append-only rule needs a statement trigger too (P19).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
-- Chains written before heads existed: their current end becomes their head.
INSERT INTO audit_chain_heads (chain, seq, hash)
SELECT DISTINCT ON (chain) chain, seq, hash FROM audit_log ORDER BY chain, seq DESC
ON CONFLICT (chain) DO NOTHING;
