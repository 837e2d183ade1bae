-- model: staging.discogs_identifiers
-- materialized: view
-- Discogs' own release ids, which MusicBrainz's url-rels name.
select 'release' as entity, item_id, 'discogs' as kind, item_id as value, 'own' as via
from staging.discogs_release_items
