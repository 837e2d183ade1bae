-- model: staging.beatport_facts
-- materialized: view
-- What Beatport says of its releases and tracks: label and catalog number (third among
-- sources, after Discogs and MusicBrainz), and each track's genre, which is its
-- release's too.
select 'release' as entity, release_id::varchar as item_id, 'label' as field, label as value, 3 as precedence
from staging.beatport_releases
union all
select 'release', release_id::varchar, 'catalog_number', catalog_number, 3 from staging.beatport_releases
union all
select 'release', release_id::varchar, 'genre', genre, null from staging.beatport_tracks
union all
select 'track', track_id::varchar, 'genre', genre, null from staging.beatport_tracks
