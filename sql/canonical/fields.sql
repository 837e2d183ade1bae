-- model: canonical.fields
-- key: entity, canonical_id, field, provider, value
-- kind: incremental by canonical_id = canonical.clusters.cluster_id
-- Every value a provider gives for a field of a canonical release or track
-- (`canonical_id` is its release_id or track_id), and the one canonical.releases and
-- canonical.tracks show (`chosen`), by a rule per field:
--   release_date            the earliest year (the original over a reissue's or a
--                           digital edition's date), then the most precise (a day over
--                           a month over a year), then the earliest day
--   label, catalog_number   by the precedence each provider's facts state (the
--                           labels' own records first: see each provider's
--                           staging.<provider>_facts), then any other store; then
--                           the value most of its listings give
--   genre                   every one, merged (case aside)
--   explicit                true when any listing says so
-- `conflict` marks a field on which the providers disagree: dates by year, labels and
-- catalog numbers case, spaces and punctuation aside, explicit true against false
-- (marts.coverage counts them).
with shared as (
    -- Where one provider lists a release (or recording) more than once: only there can
    -- a provider give one value twice, so only there are values counted (counting
    -- every fact took a second and a half at the million).
    select entity, cluster_id, provider from canonical.clusters group by all having count(*) > 1
),
facts as (
    select c.entity, c.cluster_id as canonical_id, f.field, f.provider, f.value, f.precedence,
        s.cluster_id is not null as repeats
    from canonical.clusters c
    join intermediate.item_facts f using (entity, provider, item_id)
    left join shared s using (entity, cluster_id, provider)
),
said as (
    -- An item says each fact once (intermediate.item_facts).
    select * exclude (repeats), 1 as listings from facts where not repeats
    union all
    select entity, canonical_id, field, provider, value, precedence, count(*) from facts where repeats group by all
),
normalized as (
    select *,
        case field
            when 'release_date' then left(value, 4)
            when 'explicit' then lower(value)
            when 'genre' then lower(value)
            else regexp_replace(lower(value), '[^\p{L}\p{N}]', '', 'g')
        end as norm,
        -- Labels, catalog numbers and any field without a rule of its own.
        field not in ('release_date', 'explicit', 'genre') as by_provider
    from said
),
preferred as (
    -- One sortable text per fact, the smallest first: the value shown. It ends with the
    -- value (so equal texts are equal values) and then, after a NUL (no fact has one),
    -- the norm: the smallest text names the value shown and its norm at once, and a
    -- window needs no order (a third faster than ordering each release's facts).
    -- Labels and catalog numbers count the listings behind each spelling; only their
    -- rows go through that window. Genres need no choosing: every one is shown.
    select *,
        case field
            when 'release_date' then left(value, 4) || lpad((20 - length(value))::varchar, 2, '0') || value
            when 'explicit' then (lower(value) <> 'true')::int::varchar
            else ''
        end || chr(0) || norm as preference
    from normalized
    where not by_provider and field <> 'genre'
    union all
    select *,
        lpad(coalesce(precedence, 99)::varchar, 2, '0')
            || lpad((999 - least(sum(listings) over (partition by entity, canonical_id, field, norm), 999))::varchar, 3, '0')
            || value || chr(0) || norm
    from normalized
    where by_provider
),
shown as (
    select *,
        min(preference) over w as shown,
        min(norm) over w as min_norm,
        max(norm) over w as max_norm
    from preferred
    window w as (partition by entity, canonical_id, field)
)
select
    entity,
    canonical_id,
    field,
    provider,
    value,
    -- A date is chosen as written; a label also as another provider spells it.
    case when field = 'release_date' then preference = shown else norm = split_part(shown, chr(0), 2) end as chosen,
    min_norm <> max_norm as conflict,
    listings
from shown
union all
select entity, canonical_id, field, provider, value, true, false, listings
from normalized
where field = 'genre'
