-- Argo CD health check for dustcloud.io/Unikernel (resource.customizations.health.dustcloud.io_Unikernel)
-- Healthy: Ready=True for the current generation. Degraded: Stalled=True. Progressing otherwise.
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local observed = obj.status.observedGeneration
local current = observed ~= nil and obj.metadata.generation ~= nil and observed == obj.metadata.generation
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Stalled" and c.status == "True" then
    hs.status = "Degraded"
    hs.message = (c.reason or "") .. ": " .. (c.message or "")
    return hs
  end
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    if c.status == "True" and current then
      hs.status = "Healthy"
    end
    hs.message = (c.reason or "") .. ": " .. (c.message or "")
  end
end
if not current then
  hs.message = "The operator has not observed generation " .. tostring(obj.metadata.generation) .. " yet"
end
return hs
