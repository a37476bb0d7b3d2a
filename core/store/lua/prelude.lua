-- Shared by the RedisStore scripts: the key layout (docs/deploy.md, "Redis
-- layout"). Ids are escaped so that a ':' inside one cannot make two keys
-- meet; RedisStore::key builds the same names in C++.
local prefix = ARGV[1]
local function esc(id)
    return (string.gsub(string.gsub(id, '%%', '%%25'), ':', '%%3A'))
end
local function key(product, kind, id)
    if id then
        return prefix .. ':' .. esc(product) .. ':' .. kind .. ':' .. esc(id)
    end
    return prefix .. ':' .. esc(product) .. ':' .. kind
end
