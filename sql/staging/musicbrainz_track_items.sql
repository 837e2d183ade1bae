-- model: staging.musicbrainz_track_items
-- materialized: view
-- coverage: mbid
-- canonical: musicbrainz_recording_id = min(item_id)
-- MusicBrainz's recordings as track items, each with one release it is on (the first
-- by id) and that listing's title and credit.
select recording_id as item_id, arg_min(release_id, release_id) as release_item_id,
    arg_min(title, release_id) as title, arg_min(artist_credit, release_id) as artist, max(length_ms) as duration_ms,
    null::double as popularity, 'https://musicbrainz.org/recording/' || recording_id as url,
    any_value(recording_disambiguation) as disambiguation, true as curated, arg_min(raw_file, release_id) as raw_file
from staging.musicbrainz_tracks
group by recording_id
