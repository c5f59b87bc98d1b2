-- Argo CD health check for dustcloud.io/Unikernel (resource.customizations.health.dustcloud.io_Unikernel)
-- The same reading as kstatus: Degraded when Stalled=True (a rollback, a missed progress
-- deadline, a spec that cannot be acted on, suspended repairs); Healthy when Ready=True for the
-- current generation; Progressing otherwise (being created, rolling, starting, crash-looping
-- while the operator keeps retrying, being deleted), with the condition that says why.
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "Being deleted"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local observed = obj.status.observedGeneration
local current = observed ~= nil and obj.metadata.generation ~= nil and observed == obj.metadata.generation
local function find(kind)
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end
local function say(c)
  return (c.reason or "") .. ": " .. (c.message or "")
end
if not current then
  hs.message = "The operator has not observed generation " .. tostring(obj.metadata.generation) .. " yet"
  return hs
end
local stalled = find("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = say(stalled)
  return hs
end
local ready = find("Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = say(ready)
  return hs
end
local degraded = find("Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.message = say(degraded)
elseif ready ~= nil then
  hs.message = say(ready)
end
return hs
