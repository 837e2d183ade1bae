-- model: intermediate.item_identifiers
-- key: entity, provider, item_id, kind, value
-- Every identifier an item carries, for exact links: its barcode (from its release
-- item), and what each provider's staging gives (`staging.<provider>_identifiers`): its
-- ISRCs, MusicBrainz ids, its own provider id, and the ids of other providers' pages it
-- links to. `via` says where an identifier of another provider came from. Each source
-- is keyed by its item, so nothing here is made distinct (a distinct over all four
-- million rows at the million cost a second): a provider whose sources can repeat an
-- identifier says it once itself.
with ids as (
    select 'release' as entity, provider, item_id, 'gtin' as kind, gtin as value, 'own' as via
    from intermediate.release_items where gtin is not null
    union all
    select entity, provider, item_id, kind, value, via
    from staging.identifiers
)
select entity, provider, item_id, kind, value, via
from ids
where value is not null and item_id is not null
