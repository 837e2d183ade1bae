-- model: staging.musicbrainz_release_items
-- materialized: view
-- coverage: mbid
-- canonical: release_group_id = min(release_group_id)
-- canonical: musicbrainz_release_id = min(item_id)
-- MusicBrainz's releases in the shape every provider's release items take. An
-- editor-curated database: its title and credit are read first where members tie.
select release_id as item_id, title, artist_credit as artist, gtin, release_date, track_count,
    null::double as popularity, 'https://musicbrainz.org/release/' || release_id as url, disambiguation,
    true as curated, release_group_id, raw_file
from staging.musicbrainz_releases
