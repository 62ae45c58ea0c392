-- An account's usage plan, set by an administrator (PUT /admin/accounts/{id}/plan). NULL: the configured
-- default plan (auth.defaultPlan), so changing the default moves every account that was never given one.
-- Plans are the account's, whichever credential a request uses; api_keys.plan only records the plan a key
-- was created under.
ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text;
