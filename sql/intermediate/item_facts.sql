-- model: intermediate.item_facts
-- materialized: view
-- What each provider says of its releases and tracks, one fact a row, for the fields
-- canonical.fields chooses field by field: release dates (from the release items),
-- and what each provider's staging gives (`staging.<provider>_facts`): label and
-- catalog number, genres and tags, and the explicit flag (`true` / `false`), with the
-- precedence a provider's labels and catalog numbers take (smaller first; none: after
-- every provider that states one). As given, but an empty value is no fact and a NUL
-- character is dropped (canonical.fields separates with it).
-- A view: canonical.fields reads it once, so a copy would only cost writing it. Every
-- model read here is keyed by its item, so a fact repeats only among a release's genres
-- (a tag on the release and on its group, two tracks of one genre): those are made
-- distinct.
with facts as (
    select 'release' as entity, provider, item_id, 'release_date' as field, release_date as value,
        null::integer as precedence
    from intermediate.release_items
    union all
    select entity, provider, item_id, field, value, precedence
    from staging.facts
    where not (entity = 'release' and field = 'genre')
    union all
    select distinct entity, provider, item_id, field, trim(value), precedence
    from staging.facts
    where entity = 'release' and field = 'genre'
)
select entity, provider, item_id, field, trim(replace(value, chr(0), '')) as value, precedence
from facts
where item_id is not null and nullif(trim(replace(value, chr(0), '')), '') is not null
